using System.Runtime.ExceptionServices;
using Auditrail.Core.Model;

namespace Auditrail.Core.Reading.Parallel;

/// <summary>
/// One parallel read (see <see cref="ParallelAuditLogReader"/>): the framing thread, the workers, and the
/// ordered stage on the calling thread, around a fixed pool of batches. All hand-offs go through one
/// lock; there are a few thousand of them in a gigabyte, so it is never contended for long.
/// </summary>
internal sealed class ReadPipeline<TResult> : IDisposable
{
    private readonly AuditReaderOptions _options;
    private readonly int _workerCount;
    private readonly int _batchRecords;
    private readonly int _batchBytes;
    private readonly int _poolSize;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _cancellation;

    private readonly object _gate = new();
    private readonly Queue<ReadBatch<TResult>> _work = new();
    private readonly Queue<ReadBatch<TResult>> _ordered = new();
    private readonly Stack<ReadBatch<TResult>> _free = new();
    private int _created;
    private bool _framingDone;
    private bool _stopping;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Highest batch sequence number the ordered stage delivered whole (no rewind needed).</summary>
    private long _confirmedSeq = -1;

    /// <summary>The generation the ordered stage delivers; batches of older ones are dropped.</summary>
    private int _generation;

    private bool _rewindPending;
    private long _rewindOffset;
    private BufferWindow _rewindWindow;

    /// <summary>Lines a worker found to start a longer value, each read again by the framer.</summary>
    public int Rewinds { get; private set; }

    public ReadPipeline(AuditReaderOptions options, int workers, int batchRecords, int batchBytes, CancellationToken cancellationToken)
    {
        _options = options;
        _workerCount = workers;
        _batchRecords = batchRecords;
        _batchBytes = batchBytes;
        _poolSize = (2 * workers) + 2;
        _cancellationToken = cancellationToken;
        _cancellation = cancellationToken.Register(() => Fail(new OperationCanceledException(cancellationToken)));
    }

    public int BatchRecords => _batchRecords;
    public int BatchBytes => _batchBytes;
    public AuditReaderOptions Options => _options;

    public ReadCounters Run(Func<IEventAnalyzer<TResult>> createAnalyzer, IOrderedEventHandler<TResult> handler, Action<IRecordSink, ReadCounters> frame)
    {
        var framed = new ReadCounters();
        var threads = new List<Thread>();
        try
        {
            for (var i = 0; i < _workerCount; i++)
            {
                var worker = new ReadWorker<TResult>(this, createAnalyzer());
                threads.Add(StartThread(worker.Run, $"auditrail-decode-{i + 1}"));
            }

            threads.Add(StartThread(() => Frame(frame, framed), "auditrail-frame"));
            var counters = Deliver(handler);
            counters.Sources = framed.Sources;
            counters.Bytes = framed.Bytes;
            return counters;
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.PulseAll(_gate);
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }
        }
    }

    public void Dispose() => _cancellation.Dispose();

    private static Thread StartThread(Action body, string name)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    private void Frame(Action<IRecordSink, ReadCounters> frame, ReadCounters framed)
    {
        try
        {
            var sink = new FramingSink<TResult>(this);
            frame(sink, framed);
            sink.Flush();
            lock (_gate)
            {
                _framingDone = true;
                Monitor.PulseAll(_gate);
            }
        }
        catch (PipelineStoppedException)
        {
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>The ordered stage: batches in framing order, each once its worker is done.</summary>
    private ReadCounters Deliver(IOrderedEventHandler<TResult> handler)
    {
        var counters = new ReadCounters();
        while (TakeNextInOrder() is { } batch)
        {
            if (batch.Generation == _generation)
            {
                Deliver(batch, handler, counters);
                lock (_gate)
                {
                    if (batch.DivergedAt >= 0)
                    {
                        // Everything framed after the line is dropped; the framing thread reads on from it.
                        _generation++;
                        Rewinds++;
                        _rewindPending = true;
                        _rewindOffset = batch.DivergedOffset;
                        _rewindWindow = batch.DivergedWindow;
                    }
                    else
                    {
                        _confirmedSeq = batch.Seq;
                    }

                    Monitor.PulseAll(_gate);
                }
            }

            Recycle(batch);
        }

        return counters;
    }

    private static void Deliver(ReadBatch<TResult> batch, IOrderedEventHandler<TResult> handler, ReadCounters counters)
    {
        var output = batch.Output;
        var results = batch.Results;
        for (var i = 0; i < output.Count; i++)
        {
            var entry = output[i];
            switch (entry.Kind)
            {
                case EntryKind.Event:
                    counters.RedactedValues += entry.Redacted;
                    counters.CountEvent(entry.Event!.Format);
                    handler.OnEvent(entry.Event, in entry.Location, results[i]);
                    break;
                case EntryKind.Diagnostic:
                    if (entry.Skipped)
                    {
                        counters.SkippedRecords++;
                    }

                    counters.CountDiagnostic(entry.Diagnostic!.Severity);
                    handler.OnDiagnostic(entry.Diagnostic);
                    break;
                case EntryKind.SourceStart:
                    handler.OnSourceStart(entry.Source!);
                    break;
                case EntryKind.Progress:
                    handler.OnProgress(entry.Source!, entry.BytesRead, entry.TotalBytes);
                    break;
            }
        }
    }

    private ReadBatch<TResult>? TakeNextInOrder()
    {
        lock (_gate)
        {
            while (true)
            {
                _failure?.Throw();
                if (_ordered.Count > 0 && _ordered.Peek().Done)
                {
                    return _ordered.Dequeue();
                }

                if (_ordered.Count == 0 && _framingDone)
                {
                    return null;
                }

                Monitor.Wait(_gate);
            }
        }
    }

    private void Recycle(ReadBatch<TResult> batch)
    {
        batch.Clear();
        lock (_gate)
        {
            _free.Push(batch);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Framing side: queues a full batch for the workers and the ordered stage.</summary>
    public void Submit(ReadBatch<TResult> batch)
    {
        lock (_gate)
        {
            _work.Enqueue(batch);
            _ordered.Enqueue(batch);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Framing side: an empty batch, waiting for one when all are in use. Throws to unwind the framer for a rewind.</summary>
    public ReadBatch<TResult> AcquireFree(FramingSink<TResult> sink)
    {
        lock (_gate)
        {
            while (true)
            {
                ThrowIfStoppedOrRewinding(sink);
                if (_free.Count > 0)
                {
                    return _free.Pop();
                }

                if (_created < _poolSize)
                {
                    _created++;
                    return new ReadBatch<TResult>(_batchBytes + (_batchBytes / 4));
                }

                Monitor.Wait(_gate);
            }
        }
    }

    /// <summary>Framing side: waits until the ordered stage has confirmed batch <paramref name="seq"/>.</summary>
    public void WaitConfirmed(long seq, FramingSink<TResult> sink)
    {
        lock (_gate)
        {
            while (true)
            {
                ThrowIfStoppedOrRewinding(sink);
                if (_confirmedSeq >= seq)
                {
                    return;
                }

                Monitor.Wait(_gate);
            }
        }
    }

    public long ConfirmedSeq => Volatile.Read(ref _confirmedSeq);

    /// <summary>Framing side: takes a pending rewind, returning the generation batches framed from now on belong to.</summary>
    public bool TryTakeRewind(out long offset, out BufferWindow window, out int generation)
    {
        offset = 0;
        window = default;
        generation = 0;
        if (!Volatile.Read(ref _rewindPending))
        {
            return false;
        }

        lock (_gate)
        {
            return TakeRewindLocked(out offset, out window, out generation);
        }
    }

    private bool TakeRewindLocked(out long offset, out BufferWindow window, out int generation)
    {
        offset = _rewindOffset;
        window = _rewindWindow;
        generation = _generation;
        if (!_rewindPending)
        {
            return false;
        }

        _rewindPending = false;
        return true;
    }

    private void ThrowIfStoppedOrRewinding(FramingSink<TResult> sink)
    {
        if (_failure is not null || _stopping)
        {
            throw new PipelineStoppedException();
        }

        if (TakeRewindLocked(out var offset, out var window, out var generation))
        {
            sink.BeginGeneration(generation);
            throw new ReaderRewindException(offset, window);
        }
    }

    /// <summary>Worker side: the next batch to decode; null when the read is over.</summary>
    public ReadBatch<TResult>? TakeWork()
    {
        lock (_gate)
        {
            while (true)
            {
                if (_failure is not null || _stopping)
                {
                    return null;
                }

                if (_work.Count > 0)
                {
                    return _work.Dequeue();
                }

                Monitor.Wait(_gate);
            }
        }
    }

    /// <summary>Worker side: whether the batch will be dropped anyway (framed before a rewind).</summary>
    public bool IsStale(ReadBatch<TResult> batch) => batch.Generation < Volatile.Read(ref _generation);

    public void Completed(ReadBatch<TResult> batch)
    {
        lock (_gate)
        {
            batch.Done = true;
            Monitor.PulseAll(_gate);
        }
    }

    public void Fail(Exception exception)
    {
        lock (_gate)
        {
            _failure ??= ExceptionDispatchInfo.Capture(exception);
            Monitor.PulseAll(_gate);
        }
    }

    public void ThrowIfCancellationRequested() => _cancellationToken.ThrowIfCancellationRequested();
}

/// <summary>Unwinds a pipeline thread when another one failed; the failure itself is reported by the ordered stage.</summary>
internal sealed class PipelineStoppedException() : Exception("the read stopped");

/// <summary>A worker thread: decodes batches and analyzes their events.</summary>
internal sealed class ReadWorker<TResult> : IAuditEventHandler
{
    private readonly ReadPipeline<TResult> _pipeline;
    private readonly IEventAnalyzer<TResult> _analyzer;
    private readonly ReadCounters _scratch = new();
    private readonly RecordDecoder _decoder;
    private ReadBatch<TResult>? _batch;

    public ReadWorker(ReadPipeline<TResult> pipeline, IEventAnalyzer<TResult> analyzer)
    {
        _pipeline = pipeline;
        _analyzer = analyzer;
        _decoder = new RecordDecoder(pipeline.Options, this, _scratch);
    }

    public void Run()
    {
        try
        {
            while (_pipeline.TakeWork() is { } batch)
            {
                if (!_pipeline.IsStale(batch))
                {
                    Decode(batch);
                }

                _pipeline.Completed(batch);
            }
        }
        catch (Exception ex)
        {
            _pipeline.Fail(ex);
        }
    }

    private void Decode(ReadBatch<TResult> batch)
    {
        _batch = batch;
        var input = batch.Input;
        var maxDepth = _pipeline.Options.MaxDepth;
        for (var i = 0; i < input.Count; i++)
        {
            var entry = input[i];
            switch (entry.Kind)
            {
                case EntryKind.Line:
                    // The sequential fast path: a line that is not JSON is reported as one bad record,
                    // unless it is the first line of a longer value: then the framer must read it again.
                    if (_decoder.Decode(batch.Data, entry.Start, entry.Length, in entry.Context, reportMalformed: false) == DecodeOutcome.MalformedJson)
                    {
                        if (SourceReader.IsIncomplete(batch.Data.AsSpan(entry.Start, entry.Length), maxDepth))
                        {
                            batch.DivergedAt = i;
                            batch.DivergedOffset = entry.Context.ByteOffset;
                            batch.DivergedWindow = entry.Window;
                            return;
                        }

                        _decoder.Decode(batch.Data, entry.Start, entry.Length, in entry.Context);
                    }

                    break;
                case EntryKind.Frame:
                    _decoder.Decode(batch.Data, entry.Start, entry.Length, in entry.Context);
                    break;
                case EntryKind.Event:
                    batch.AddOutput(in entry, _analyzer.Analyze(entry.Event!, in entry.Location));
                    break;
                default:
                    batch.AddOutput(in entry, default!);
                    break;
            }
        }

        _batch = null;
    }

    public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
    {
        var batch = _batch!;
        var owned = batch.RentEvent();
        if (ReferenceEquals(auditEvent.Storage, batch.Data))
        {
            owned.CopyFrom(auditEvent, batch.Data, auditEvent.StorageOffset);
        }
        else
        {
            // Redacted, or unwrapped from an envelope: the bytes are the decoder's scratch, so they are copied.
            owned.CopyFrom(auditEvent, auditEvent.Json.ToArray(), 0);
        }

        var entry = new BatchEntry { Kind = EntryKind.Event, Event = owned, Location = location, Redacted = _scratch.RedactedValues };
        _scratch.RedactedValues = 0;
        batch.AddOutput(in entry, _analyzer.Analyze(owned, in location));
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic)
    {
        var entry = new BatchEntry { Kind = EntryKind.Diagnostic, Diagnostic = diagnostic, Skipped = _scratch.SkippedRecords > 0 };
        _scratch.SkippedRecords = 0;
        _batch!.AddOutput(in entry, default!);
    }
}
