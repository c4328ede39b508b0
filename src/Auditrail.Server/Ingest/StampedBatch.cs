using System.Buffers;
using System.Text.Json;

namespace Auditrail.Server.Ingest;

/// <summary>
/// The JSON lines of one accepted batch: each event copied once from the request body by
/// <see cref="ClusterStamp"/> into one pooled array, which the write-ahead log then writes from directly.
/// The array is cleared on its way back to the pool, since it holds event data.
/// </summary>
internal sealed class StampedBatch : IBufferWriter<byte>, IDisposable
{
    // The stamp adds the annotation member (about 50 bytes) to each event; this leaves room so growing is rare.
    private const int StampAllowance = 64;

    private byte[] _array;
    private int _length;

    private StampedBatch(int capacity) => _array = ArrayPool<byte>.Shared.Rent(capacity);

    /// <summary>
    /// Stamps the events of <paramref name="batch"/> with <paramref name="cluster"/>, one line each. An
    /// event the stamp cannot place its annotation in (<c>annotations</c> that is not an object) is skipped
    /// into the batch's warnings like any other bad item.
    /// </summary>
    public static StampedBatch Stamp(ReadOnlySpan<byte> body, ParsedBatch batch, string cluster)
    {
        var stamped = new StampedBatch(body.Length + (batch.Events.Count * StampAllowance) + 1);
        var encodedCluster = ClusterStamp.EncodeCluster(cluster);
        foreach (var span in batch.Events)
        {
            try
            {
                // The stamp advances the writer only after the whole line is written, so a failure leaves nothing behind.
                ClusterStamp.WriteLine(body.Slice(span.Start, span.Length), encodedCluster, stamped);
                stamped.Events++;
            }
            catch (JsonException ex)
            {
                batch.Skip(span.Path, $"not an audit event: {ex.Message}");
            }
        }

        return stamped;
    }

    /// <summary>How many events were stamped.</summary>
    public int Events { get; private set; }

    /// <summary>The stamped lines, each ending in <c>\n</c>.</summary>
    public ReadOnlyMemory<byte> Lines => _array.AsMemory(0, _length);

    public void Dispose()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array, clearArray: true);
            _array = [];
        }
    }

    void IBufferWriter<byte>.Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _array.Length - _length);
        _length += count;
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint) => _array.AsMemory(FreeFrom(sizeHint));

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => _array.AsSpan(FreeFrom(sizeHint));

    /// <summary>Where free space starts, after growing the array when less than <paramref name="sizeHint"/> is left.</summary>
    private int FreeFrom(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed > _array.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
            _array.AsSpan(0, _length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_array, clearArray: true);
            _array = grown;
        }

        return _length;
    }
}
