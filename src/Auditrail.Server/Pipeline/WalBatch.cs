using Auditrail.Server.Ingest;

namespace Auditrail.Server.Pipeline;

/// <summary>
/// Write-ahead-log records gathered for one store commit: their payloads copied end to end into one
/// JSON-lines buffer (one parallel read for the whole batch instead of one per record), and where each
/// record's lines start, so a line of the buffer maps back to its record and its line there.
/// </summary>
internal sealed class WalBatch
{
    private readonly List<RecordSpan> _records = [];
    private byte[] _buffer = new byte[1 << 20];
    private int _length;
    private long _lines;

    /// <summary>One record's place in the buffer: its lines are <see cref="FirstLine"/> to <see cref="FirstLine"/> + <see cref="Lines"/> - 1 (1-based).</summary>
    internal readonly record struct RecordSpan(long Sequence, string Source, long FirstLine, long Lines);

    public int Count => _records.Count;

    /// <summary>What the records said they held (the WAL's count, before decoding).</summary>
    public long Events { get; private set; }

    public long LastSequence => _records.Count == 0 ? 0 : _records[^1].Sequence;

    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, _length);

    public IReadOnlyList<RecordSpan> Records => _records;

    /// <summary>Copies the record's payload (valid only until the log's enumeration moves on), ending it with a newline.</summary>
    public void Add(in WalRecord record)
    {
        var payload = record.Payload.Span;
        var needsNewline = payload.Length > 0 && payload[^1] != (byte)'\n';
        var size = payload.Length + (needsNewline ? 1 : 0);
        if (_length + size > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size));
        }

        payload.CopyTo(_buffer.AsSpan(_length));
        _length += payload.Length;
        if (needsNewline)
        {
            _buffer[_length++] = (byte)'\n';
        }

        var lines = System.MemoryExtensions.Count(payload, (byte)'\n') + (needsNewline ? 1 : 0);
        _records.Add(new RecordSpan(record.Sequence, record.Source, _lines + 1, lines));
        _lines += lines;
        Events += record.Events;
    }

    /// <summary>The index of the record holding buffer line <paramref name="line"/> (1-based), searching forward from <paramref name="hint"/>.</summary>
    public int Locate(long line, int hint = 0)
    {
        var index = Math.Clamp(hint, 0, Math.Max(0, _records.Count - 1));
        while (index > 0 && _records[index].FirstLine > line)
        {
            index--;
        }

        while (index < _records.Count - 1 && _records[index + 1].FirstLine <= line)
        {
            index++;
        }

        return index;
    }

    public void Clear()
    {
        _records.Clear();
        _length = 0;
        _lines = 0;
        Events = 0;
    }
}
