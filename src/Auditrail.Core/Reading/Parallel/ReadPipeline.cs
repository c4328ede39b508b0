using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Auditrail.Core.Model;

namespace Auditrail.Core.Reading.Parallel;

/// <summary>
/// One parallel read (see <see cref="ParallelAuditLogReader"/>) around a fixed pool of batches: worker
/// threads decode; the calling thread frames and, in between, delivers in order.
/// </summary>
/// <remarks>
/// <para>The calling thread frames until every batch of the pool is in use, then delivers the oldest
/// once its worker is done, recycles it and frames on; so the ordered stage is one thread (the caller's)
/// and the framer never waits for another thread to free a batch. Workers sleep only when there is no
/// batch to decode; the caller sleeps only while the oldest batch is being decoded.</para>
/// <para>The state shared with the workers is guarded by one lock, held briefly a few times per batch.
/// Workers and the caller sleep in rooms of their own and are woken only for what they wait for: on a
/// virtual machine a wake-up costs tens of microseconds.</para>
/// </remarks>
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
    private readonly object _workerRoom = new();
    private readonly object _callerRoom = new();
    private readonly Queue<ReadBatch<TResult>> _work = new();
    private readonly Queue<ReadBatch<TResult>> _ordered = new();
    private bool _stopping;
    private int _idleWorkers;
    private bool _callerWaits;
    private ExceptionDispatchInfo? _failure;

    // The caller's own state (framing and delivery run on the calling thread).
    private readonly Stack<ReadBatch<TResult>> _free = new();
    private readonly ReadCounters _counters = new();
    private IOrderedEventHandler<TResult> _handler = null!;
    private int _created;
    private long _confirmedSeq = -1;
    private bool _rewindPending;
    private long _rewindOffset;
    private BufferWindow _rewindWindow;

    /// <summary>The generation delivered; batches of older ones (framed before a rewind) are dropped. Workers read it.</summary>
    private int _generation;

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

    /// <summary>Lines a worker found to start a longer value, each read again by the framer.</summary>
    public int Rewinds { get; private set; }

    public int BatchRecords => _batchRecords;
    public int BatchBytes => _batchBytes;
    public AuditReaderOptions Options => _options;

    /// <summary>Highest batch sequence number delivered whole (no rewind needed).</summary>
    public long ConfirmedSeq => _confirmedSeq;

    public ReadCounters Run(Func<IEventAnalyzer<TResult>> createAnalyzer, IOrderedEventHandler<TResult> handler, Action<IRecordSink, ReadCounters> frame)
    {
        _handler = handler;
        var framed = new ReadCounters();
        var threads = new List<Thread>();
        try
        {
            for (var i = 0; i < _workerCount; i++)
            {
                var worker = new ReadWorker<TResult>(this, createAnalyzer());
                var thread = new Thread(worker.Run) { IsBackground = true, Name = $"auditrail-decode-{i + 1}" };
                thread.Start();
                threads.Add(thread);
            }

            var sink = new FramingSink<TResult>(this);
            frame(sink, framed);
            sink.Flush();
            while (_ordered.Count > 0)
            {
                DeliverNext();
            }

            _counters.Sources = framed.Sources;
            _counters.Bytes = framed.Bytes;
            return _counters;
        }
        catch (Exception ex)
        {
            Fail(ex);
            _failure?.Throw();
            throw;
        }
        finally
        {
            lock (_gate)
            {
                _stopping = true;
            }

            WakeEveryone();
            foreach (var thread in threads)
            {
                thread.Join();
            }
        }
    }

    public void Dispose() => _cancellation.Dispose();

    /// <summary>Framing side: queues a full batch for the workers, then delivers what is ready.</summary>
    public void Submit(ReadBatch<TResult> batch)
    {
        bool workerWaits;
        lock (_gate)
        {
            _work.Enqueue(batch);
            _ordered.Enqueue(batch);
            workerWaits = _idleWorkers > 0;
        }

        if (workerWaits)
        {
            Wake(_workerRoom);
        }

        // Alerts should not wait for the pool to run dry: deliver the batches already decoded.
        while (_ordered.Count > 0 && IsDone(_ordered.Peek()) && !_rewindPending)
        {
            DeliverNext();
        }
    }

    /// <summary>Framing side: an empty batch; when all are in use, delivers the oldest first. Throws to unwind the framer for a rewind.</summary>
    public ReadBatch<TResult> AcquireFree(FramingSink<TResult> sink)
    {
        while (true)
        {
            ThrowIfFailedOrRewinding(sink);
            if (_free.Count > 0)
            {
                return _free.Pop();
            }

            if (_created < _poolSize)
            {
                _created++;
                return new ReadBatch<TResult>(_batchBytes + (_batchBytes / 4));
            }

            DeliverNext();
        }
    }

    /// <summary>Framing side: delivers until batch <paramref name="seq"/> is confirmed. Throws to unwind the framer for a rewind.</summary>
    public void WaitConfirmed(long seq, FramingSink<TResult> sink)
    {
        while (true)
        {
            ThrowIfFailedOrRewinding(sink);
            if (_confirmedSeq >= seq)
            {
                return;
            }

            DeliverNext();
        }
    }

    /// <summary>Framing side: takes a pending rewind, returning the generation batches framed from now on belong to.</summary>
    public bool TryTakeRewind(out long offset, out BufferWindow window, out int generation)
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

    public void ThrowIfCancellationRequested() => _cancellationToken.ThrowIfCancellationRequested();

    private void ThrowIfFailedOrRewinding(FramingSink<TResult> sink)
    {
        _failure?.Throw();
        if (TryTakeRewind(out var offset, out var window, out var generation))
        {
            sink.BeginGeneration(generation);
            throw new ReaderRewindException(offset, window);
        }
    }

    private bool IsDone(ReadBatch<TResult> batch)
    {
        lock (_gate)
        {
            return batch.Done;
        }
    }

    /// <summary>The ordered stage: waits for the oldest batch, delivers it (or drops it, if framed before a rewind) and frees it.</summary>
    private void DeliverNext()
    {
        var batch = _ordered.Peek();
        lock (_callerRoom)
        {
            while (true)
            {
                lock (_gate)
                {
                    _failure?.Throw();
                    if (batch.Done)
                    {
                        _ordered.Dequeue();
                        _callerWaits = false;
                        break;
                    }

                    _callerWaits = true;
                }

                Monitor.Wait(_callerRoom);
            }
        }

        if (batch.Generation == _generation)
        {
            Deliver(batch);
            if (batch.DivergedAt >= 0)
            {
                // Everything framed after the line is dropped; the framer reads on from it.
                Volatile.Write(ref _generation, _generation + 1);
                Rewinds++;
                _rewindPending = true;
                _rewindOffset = batch.DivergedOffset;
                _rewindWindow = batch.DivergedWindow;
            }
            else
            {
                _confirmedSeq = batch.Seq;
            }
        }

        batch.Clear();
        _free.Push(batch);
    }

    private void Deliver(ReadBatch<TResult> batch)
    {
        var output = CollectionsMarshal.AsSpan(batch.Output);
        var results = batch.Results;
        for (var i = 0; i < output.Length; i++)
        {
            ref readonly var entry = ref output[i];
            switch (entry.Kind)
            {
                case EntryKind.Event:
                    var auditEvent = entry.Event;
                    _counters.RedactedValues += entry.Count;
                    _counters.CountEvent(auditEvent.Format);
                    _handler.OnEvent(auditEvent, entry.Location, results[i]);
                    break;
                case EntryKind.Diagnostic:
                    if (entry.Skipped)
                    {
                        _counters.SkippedRecords++;
                    }

                    _counters.CountDiagnostic(entry.Diagnostic.Severity);
                    _handler.OnDiagnostic(entry.Diagnostic);
                    break;
                case EntryKind.SourceStart:
                    _handler.OnSourceStart(entry.Source);
                    break;
                case EntryKind.Progress:
                    _handler.OnProgress(entry.Source, entry.Count, entry.Total);
                    break;
            }
        }
    }

    /// <summary>Wakes one thread sleeping in a room; nothing happens when none is.</summary>
    private static void Wake(object room)
    {
        lock (room)
        {
            Monitor.Pulse(room);
        }
    }

    private void WakeEveryone()
    {
        foreach (var room in new[] { _workerRoom, _callerRoom })
        {
            lock (room)
            {
                Monitor.PulseAll(room);
            }
        }
    }

    /// <summary>Worker side: the next batch to decode; null when the read is over.</summary>
    public ReadBatch<TResult>? TakeWork()
    {
        lock (_workerRoom)
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_failure is not null || _stopping)
                    {
                        return null;
                    }

                    if (_work.Count > 0)
                    {
                        return _work.Dequeue();
                    }

                    _idleWorkers++;
                }

                Monitor.Wait(_workerRoom);
                lock (_gate)
                {
                    _idleWorkers--;
                }
            }
        }
    }

    /// <summary>Worker side: whether the batch will be dropped anyway (framed before a rewind).</summary>
    public bool IsStale(ReadBatch<TResult> batch) => batch.Generation < Volatile.Read(ref _generation);

    public void Completed(ReadBatch<TResult> batch)
    {
        bool callerWaits;
        lock (_gate)
        {
            batch.Done = true;
            callerWaits = _callerWaits && _ordered.Peek() == batch;
        }

        if (callerWaits)
        {
            Wake(_callerRoom);
        }
    }

    public void Fail(Exception exception)
    {
        lock (_gate)
        {
            _failure ??= ExceptionDispatchInfo.Capture(exception);
        }

        WakeEveryone();
    }
}

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
        _decoder.Target = batch.RentEvent();
        var input = CollectionsMarshal.AsSpan(batch.Input);
        var maxDepth = _pipeline.Options.MaxDepth;
        for (var i = 0; i < input.Length; i++)
        {
            ref readonly var entry = ref input[i];
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
                default:
                    var passed = batch.Passed[entry.Start];
                    batch.AddOutput(in passed, passed.Kind == EntryKind.Event ? _analyzer.Analyze(passed.Event, passed.Location) : default!);
                    break;
            }
        }

        _batch = null;
    }

    /// <summary>The event was parsed into one of the batch's own instances: it stays, and the next is parsed into another.</summary>
    public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
    {
        var batch = _batch!;
        if (!ReferenceEquals(auditEvent.Storage, batch.Data))
        {
            // Redacted, or unwrapped from an envelope: the bytes are the decoder's scratch, so they are copied.
            auditEvent.MoveTo(auditEvent.Json.ToArray(), 0);
        }

        _decoder.Target = batch.RentEvent();
        var entry = BatchEntry.ForEvent(auditEvent, in location, _scratch.RedactedValues);
        _scratch.RedactedValues = 0;
        batch.AddOutput(in entry, _analyzer.Analyze(auditEvent, in location));
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic)
    {
        var entry = BatchEntry.ForDiagnostic(diagnostic, _scratch.SkippedRecords > 0);
        _scratch.SkippedRecords = 0;
        _batch!.AddOutput(in entry, default!);
    }
}
