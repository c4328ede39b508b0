using Auditrail.Core.Model;

namespace Auditrail.Core.Reading.Parallel;

internal enum EntryKind : byte
{
    /// <summary>A whole line handed on unparsed; a worker may find it starts a longer value.</summary>
    Line,
    /// <summary>A complete JSON value framed by the reader; a worker decodes it.</summary>
    Frame,
    /// <summary>An event decoded already (by the framer, or by a worker).</summary>
    Event,
    Diagnostic,
    SourceStart,
    Progress,
}

/// <summary>One thing in a batch: record bytes to decode (framing side), or what to hand to the ordered stage.</summary>
internal struct BatchEntry
{
    public EntryKind Kind;
    public int Start;
    public int Length;
    public DecodeContext Context;

    /// <summary>For a <see cref="EntryKind.Line"/>: the read buffer's state there, for a rewind.</summary>
    public BufferWindow Window;
    public AuditEvent? Event;
    public RecordLocation Location;
    public ReadDiagnostic? Diagnostic;

    /// <summary>Secret values redacted from <see cref="Event"/>, counted when the ordered stage delivers it.</summary>
    public long Redacted;

    /// <summary>The diagnostic notes a record skipped as not being an audit log (<see cref="ReadCounters.SkippedRecords"/>).</summary>
    public bool Skipped;

    public string? Source;
    public long BytesRead;
    public long TotalBytes;
}

/// <summary>
/// A run of consecutive records of one source: their bytes, copied out of the read buffer by the
/// framer, and once a worker is done, what they yield in order with each event's analysis.
/// Batches are pooled and reused, events with them.
/// </summary>
internal sealed class ReadBatch<TResult>(int dataBytes)
{
    private readonly List<AuditEvent> _events = [];
    private int _eventsUsed;

    public long Seq;

    /// <summary>Batches framed before a rewind have an older generation and are dropped unread.</summary>
    public int Generation;

    public byte[] Data = new byte[dataBytes];
    public int DataLength;

    /// <summary>What the framer put in.</summary>
    public readonly List<BatchEntry> Input = [];

    /// <summary>What the ordered stage delivers: events, diagnostics, source starts and progress.</summary>
    public readonly List<BatchEntry> Output = [];

    public TResult[] Results = new TResult[256];

    /// <summary>Offset of the first line handed on unparsed, which must stay buffered until the batch is confirmed.</summary>
    public long FirstDeferredOffset = long.MaxValue;

    /// <summary>Index in <see cref="Input"/> of a line found to start a longer value; -1 when none.</summary>
    public int DivergedAt = -1;

    public long DivergedOffset;

    public BufferWindow DivergedWindow;

    public bool Done;

    public AuditEvent RentEvent()
    {
        if (_eventsUsed == _events.Count)
        {
            _events.Add(new AuditEvent());
        }

        return _events[_eventsUsed++];
    }

    /// <summary>Copies record bytes in; false when they do not fit and the batch already holds something.</summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes, out int start)
    {
        start = DataLength;
        if (Data.Length - DataLength < bytes.Length)
        {
            if (Input.Count > 0)
            {
                return false;
            }

            Data = new byte[Math.Max(bytes.Length, Data.Length)];
            DataLength = 0;
            start = 0;
        }

        bytes.CopyTo(Data.AsSpan(DataLength));
        DataLength += bytes.Length;
        return true;
    }

    public void AddOutput(in BatchEntry entry, TResult result)
    {
        if (Output.Count == Results.Length)
        {
            Array.Resize(ref Results, Results.Length * 2);
        }

        Results[Output.Count] = result;
        Output.Add(entry);
    }

    public void Clear()
    {
        _eventsUsed = 0;
        DataLength = 0;
        Input.Clear();
        Array.Clear(Results, 0, Output.Count);
        Output.Clear();
        FirstDeferredOffset = long.MaxValue;
        DivergedAt = -1;
        DivergedOffset = 0;
        Done = false;
    }
}
