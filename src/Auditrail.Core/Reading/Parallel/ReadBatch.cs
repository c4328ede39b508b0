using Auditrail.Core.Model;

namespace Auditrail.Core.Reading.Parallel;

internal enum EntryKind : byte
{
    /// <summary>A whole line handed on unparsed; a worker may find it starts a longer value.</summary>
    Line,
    /// <summary>A complete JSON value framed by the reader; a worker decodes it.</summary>
    Frame,
    /// <summary>Made by the framer already (see <see cref="ReadBatch{TResult}.Passed"/>); a worker only analyzes its event, if any.</summary>
    Passed,
    Event,
    Diagnostic,
    SourceStart,
    Progress,
}

/// <summary>What the framer puts in a batch: record bytes to decode, or the index of an entry made already. Kept small: one per record.</summary>
internal struct RecordEntry
{
    public EntryKind Kind;
    public int Start;
    public int Length;
    public DecodeContext Context;

    /// <summary>For a <see cref="EntryKind.Line"/>: the read buffer's state there, for a rewind.</summary>
    public BufferWindow Window;
}

/// <summary>What the ordered stage delivers: an event, a diagnostic, a source start or progress. Kept small: one per event.</summary>
internal readonly struct BatchEntry
{
    private BatchEntry(EntryKind kind, object item, in RecordLocation location, long count, long total, bool skipped)
    {
        Kind = kind;
        Item = item;
        Location = location;
        Count = count;
        Total = total;
        Skipped = skipped;
    }

    public EntryKind Kind { get; }

    /// <summary>The event, the diagnostic or the source's name.</summary>
    public object Item { get; }

    public RecordLocation Location { get; }

    /// <summary>Secret values redacted from the event (counted when it is delivered), or the bytes read for progress.</summary>
    public long Count { get; }

    public long Total { get; }

    /// <summary>The diagnostic notes a record skipped as not being an audit log (<see cref="ReadCounters.SkippedRecords"/>).</summary>
    public bool Skipped { get; }

    public AuditEvent Event => (AuditEvent)Item;
    public ReadDiagnostic Diagnostic => (ReadDiagnostic)Item;
    public string Source => (string)Item;

    public static BatchEntry ForEvent(AuditEvent auditEvent, in RecordLocation location, long redacted) =>
        new(EntryKind.Event, auditEvent, in location, redacted, 0, false);

    public static BatchEntry ForDiagnostic(ReadDiagnostic diagnostic, bool skipped) => new(EntryKind.Diagnostic, diagnostic, default, 0, 0, skipped);

    public static BatchEntry ForSourceStart(string source) => new(EntryKind.SourceStart, source, default, 0, 0, false);

    public static BatchEntry ForProgress(string source, long bytesRead, long totalBytes) => new(EntryKind.Progress, source, default, bytesRead, totalBytes, false);
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
    public readonly List<RecordEntry> Input = [];

    /// <summary>Entries the framer made itself (events it decoded, diagnostics, source starts, progress), by index from <see cref="Input"/>.</summary>
    public readonly List<BatchEntry> Passed = [];

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
        Passed.Clear();
        Array.Clear(Results, 0, Output.Count);
        Output.Clear();
        FirstDeferredOffset = long.MaxValue;
        DivergedAt = -1;
        DivergedOffset = 0;
        Done = false;
    }
}
