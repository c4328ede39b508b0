using Auditrail.Storage.Schema;

namespace Auditrail.Storage.Writing;

/// <summary>
/// The writer's zstd frames and the dictionary they use. Until the store has a dictionary, events are
/// compressed without one and kept as samples; at <see cref="EventCodec.TrainingSamples"/> a dictionary
/// is trained, stored, and used from the next event on. Afterwards the ratio is watched, and when it
/// falls well below what the dictionary achieved at first, a new one is trained from the next events.
/// </summary>
/// <remarks>
/// Why retrain: a dictionary holds the names, namespaces, users and agents of the events it was trained
/// on. When a cluster's workload changes, or a store holds several clusters' logs imported one after
/// the other, those stop matching: in the 10M-event benchmark (ten generated clusters in turn) the
/// frames grew from 77 bytes an event on the first cluster to 126 on average with the first cluster's
/// dictionary. Rows name their dictionary, so old rows keep theirs; a dictionary is 64 KiB.
/// After a restart the first window after it sets the reference again.
/// </remarks>
internal sealed class FrameCompressor(int dictionaryId, byte[]? dictionary, Func<byte[], int> save, int ratioWindow = FrameCompressor.RatioWindow) : IDisposable
{
    /// <summary>Events per ratio measurement: enough to even out the mix of event kinds.</summary>
    public const int RatioWindow = 100_000;

    /// <summary>Retrain when a window compresses to less than this share of the reference ratio.</summary>
    public const double RetrainBelow = 0.8;

    private readonly List<byte[]> _samples = [];
    private ZstdSharp.Compressor _compressor = EventCodec.CreateCompressor(dictionary);
    private byte[] _frame = [];
    private bool _sampling = dictionaryId == 0;
    private double _referenceRatio;
    private long _windowJson;
    private long _windowFrames;
    private int _windowEvents;

    /// <summary>The dictionary the last frame was compressed with (0: none).</summary>
    public int DictionaryId { get; private set; } = dictionaryId;

    /// <summary>Compresses one event's (stripped) JSON into a frame of its own, valid until the next call (the caller copies it where it keeps it).</summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> json)
    {
        if (_sampling)
        {
            Sample(json);
        }

        var bound = ZstdSharp.Compressor.GetCompressBound(json.Length);
        if (_frame.Length < bound)
        {
            _frame = new byte[Math.Max(bound, _frame.Length * 2)];
        }

        var frame = _frame.AsSpan(0, _compressor.Wrap(json, _frame));
        if (DictionaryId != 0)
        {
            Measure(json.Length, frame.Length);
        }

        return frame;
    }

    public void Dispose() => _compressor.Dispose();

    private void Sample(ReadOnlySpan<byte> json)
    {
        _samples.Add(json.ToArray());
        if (_samples.Count < EventCodec.TrainingSamples)
        {
            return;
        }

        // Too few or too alike samples leave no dictionary: go on with the current one (or none).
        if (EventCodec.Train(_samples) is { } trained)
        {
            DictionaryId = save(trained);
            _compressor.Dispose();
            _compressor = EventCodec.CreateCompressor(trained);
        }

        _samples.Clear();
        _sampling = false;
        _referenceRatio = 0;
        _windowJson = _windowFrames = _windowEvents = 0;
    }

    private void Measure(int jsonBytes, int frameBytes)
    {
        _windowJson += jsonBytes;
        _windowFrames += frameBytes;
        if (++_windowEvents < ratioWindow)
        {
            return;
        }

        var ratio = _windowJson / (double)_windowFrames;
        if (_referenceRatio == 0)
        {
            _referenceRatio = ratio;
        }
        else if (ratio < _referenceRatio * RetrainBelow)
        {
            _sampling = true;
        }

        _windowJson = _windowFrames = _windowEvents = 0;
    }
}
