using Auditrail.Core.Model;

namespace Auditrail.Core.Reading.Parallel;

/// <summary>
/// The framing end of a parallel read (on the calling thread): copies what the reader frames into the current batch
/// and hands full batches on. What must be decoded at once (a line the fast path cannot take) is
/// decoded here, its events copied into the batch already decoded.
/// </summary>
internal sealed class FramingSink<TResult> : IRecordSink, IRetention, IAuditEventHandler
{
    private readonly ReadPipeline<TResult> _pipeline;
    private readonly RecordDecoder _inline;
    private readonly ReadCounters _scratch = new();

    /// <summary>Batches handed on that hold unparsed lines, with the offset of the first: kept buffered until confirmed.</summary>
    private readonly Queue<(long Seq, long Offset)> _unconfirmed = new();

    private ReadBatch<TResult>? _current;
    private long _nextSeq;
    private int _generation;

    public FramingSink(ReadPipeline<TResult> pipeline)
    {
        _pipeline = pipeline;
        _inline = new RecordDecoder(pipeline.Options, this, _scratch);
    }

    public bool DefersLines => true;

    public IRetention Retention => this;

    public DecodeOutcome Decode(byte[] buffer, int start, int length, in DecodeContext context, bool reportMalformed = true) =>
        _inline.Decode(buffer, start, length, in context, reportMalformed);

    public void Submit(byte[] buffer, int start, int length, in DecodeContext context) =>
        AddRecord(EntryKind.Frame, buffer.AsSpan(start, length), in context, default);

    public bool TrySubmitLine(byte[] buffer, int start, int length, in DecodeContext context, in BufferWindow window)
    {
        AddRecord(EntryKind.Line, buffer.AsSpan(start, length), in context, in window);
        return true;
    }

    public void Report(DiagnosticSeverity severity, string code, in DecodeContext context, long byteOffset, string message, string? path = null) =>
        _inline.Report(severity, code, in context, byteOffset, message, path);

    public void Diagnostic(ReadDiagnostic diagnostic) => OnDiagnostic(diagnostic);

    public void SourceStart(string source) => Pass(BatchEntry.ForSourceStart(source));

    public void Progress(string source, long bytesRead, long totalBytes) => Pass(BatchEntry.ForProgress(source, bytesRead, totalBytes));

    /// <summary>The source's bytes are freed once it ends, so first every unparsed line of it must be confirmed.</summary>
    public void EndSource()
    {
        Flush();
        if (_unconfirmed.Count > 0)
        {
            var last = _unconfirmed.Last().Seq;
            _pipeline.WaitConfirmed(last, this);
            _unconfirmed.Clear();
        }
    }

    public bool TryTakeRewind(out long offset, out BufferWindow window)
    {
        if (!_pipeline.TryTakeRewind(out offset, out window, out var generation))
        {
            return false;
        }

        BeginGeneration(generation);
        return true;
    }

    /// <summary>After a rewind: what was framed since the line is dropped, here and downstream.</summary>
    public void BeginGeneration(int generation)
    {
        _generation = generation;
        _unconfirmed.Clear();
        _current?.Clear();
    }

    public long RetainFrom
    {
        get
        {
            var confirmed = _pipeline.ConfirmedSeq;
            while (_unconfirmed.Count > 0 && _unconfirmed.Peek().Seq <= confirmed)
            {
                _unconfirmed.Dequeue();
            }

            var from = _unconfirmed.Count > 0 ? _unconfirmed.Peek().Offset : long.MaxValue;
            return _current is null ? from : Math.Min(from, _current.FirstDeferredOffset);
        }
    }

    public void WaitForRelease()
    {
        Flush();
        if (_unconfirmed.Count > 0)
        {
            _pipeline.WaitConfirmed(_unconfirmed.Peek().Seq, this);
        }
    }

    /// <summary>Hands the current batch on, if it holds anything.</summary>
    public void Flush()
    {
        if (_current is not { } batch || batch.Input.Count == 0)
        {
            return;
        }

        batch.Seq = _nextSeq++;
        batch.Generation = _generation;
        if (batch.FirstDeferredOffset != long.MaxValue)
        {
            _unconfirmed.Enqueue((batch.Seq, batch.FirstDeferredOffset));
        }

        _current = null;
        _pipeline.Submit(batch);
    }

    /// <summary>Events decoded here (a line the fast path could not hand on): copied, as the read buffer moves on.</summary>
    public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
    {
        var batch = Current();
        var owned = batch.RentEvent();
        owned.CopyFrom(auditEvent, auditEvent.Json.ToArray(), 0);
        Pass(BatchEntry.ForEvent(owned, in location, _scratch.RedactedValues));
        _scratch.RedactedValues = 0;
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic)
    {
        Pass(BatchEntry.ForDiagnostic(diagnostic, _scratch.SkippedRecords > 0));
        _scratch.SkippedRecords = 0;
    }

    private ReadBatch<TResult> Current()
    {
        if (_current is null)
        {
            _pipeline.ThrowIfCancellationRequested();
            _current = _pipeline.AcquireFree(this);
        }

        return _current;
    }

    private void AddRecord(EntryKind kind, ReadOnlySpan<byte> bytes, in DecodeContext context, in BufferWindow window)
    {
        var batch = Current();
        if (!batch.TryAppend(bytes, out var start))
        {
            Flush();
            batch = Current();
            batch.TryAppend(bytes, out start);
        }

        if (kind == EntryKind.Line && batch.FirstDeferredOffset == long.MaxValue)
        {
            // A rewind restores the buffer as it was here: keep it from where a sequential read's began.
            batch.FirstDeferredOffset = window.Start;
        }

        Add(new RecordEntry { Kind = kind, Start = start, Length = bytes.Length, Context = context, Window = window });
    }

    private void Pass(in BatchEntry entry)
    {
        var batch = Current();
        batch.Passed.Add(entry);
        Add(new RecordEntry { Kind = EntryKind.Passed, Start = batch.Passed.Count - 1 });
    }

    private void Add(in RecordEntry entry)
    {
        var batch = Current();
        batch.Input.Add(entry);
        if (batch.Input.Count >= _pipeline.BatchRecords || batch.DataLength >= _pipeline.BatchBytes)
        {
            Flush();
        }
    }
}
