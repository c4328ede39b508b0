using System.Runtime.ExceptionServices;
using Auditrail.Core.Model;

namespace Auditrail.Core.Reading.Parallel;

/// <summary>
/// One parallel read (see <see cref="ParallelAuditLogReader"/>): the framing thread, the workers, and the
/// ordered stage on the calling thread, around a fixed pool of batches.
/// </summary>
/// <remarks>
/// The state is guarded by one lock, held briefly a few times per batch. Each kind of thread sleeps in a
/// room of its own and is woken only when what it waits for may have happened (a batch queued for the
/// workers, the next batch in order done for the ordered stage, a batch freed or confirmed for the
/// framer): on a virtual machine a wake-up costs tens of microseconds, so waking everyone on every
/// change costs more than the decoding it hands out.
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
    private readonly object _framerRoom = new();
    private readonly object _workerRoom = new();
    private readonly object _orderedRoom = new();
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
            }

            WakeEveryone();
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
            }

            Wake(_orderedRoom);
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
                bool framerWaits;
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

                    framerWaits = _framerWaitsFor != FramerWait.None;
                }

                if (framerWaits)
                {
                    Wake(_framerRoom);
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
        lock (_orderedRoom)
        {
            while (true)
            {
                lock (_gate)
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
                }

                Monitor.Wait(_orderedRoom);
            }
        }
    }

    private void Recycle(ReadBatch<TResult> batch)
    {
        batch.Clear();
        bool framerWaits;
        lock (_gate)
        {
            _free.Push(batch);

            // The framer fills a batch far faster than a worker decodes one: woken for every freed batch,
            // it would sleep again at once. It is woken when half the pool is free, and then fills them all.
            framerWaits = _framerWaitsFor == FramerWait.FreeBatch && _free.Count >= Math.Max(1, _poolSize / 2);
        }

        if (framerWaits)
        {
            Wake(_framerRoom);
        }
    }

    /// <summary>Framing side: queues a full batch for the workers and the ordered stage.</summary>
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
    }

    /// <summary>Framing side: an empty batch, waiting for one when all are in use. Throws to unwind the framer for a rewind.</summary>
    public ReadBatch<TResult> AcquireFree(FramingSink<TResult> sink)
    {
        lock (_framerRoom)
        {
            while (true)
            {
                lock (_gate)
                {
                    ThrowIfStoppedOrRewinding(sink);
                    if (_free.Count > 0)
                    {
                        _framerWaitsFor = FramerWait.None;
                        return _free.Pop();
                    }

                    if (_created < _poolSize)
                    {
                        _created++;
                        _framerWaitsFor = FramerWait.None;
                        return new ReadBatch<TResult>(_batchBytes + (_batchBytes / 4));
                    }

                    _framerWaitsFor = FramerWait.FreeBatch;
                }

                Monitor.Wait(_framerRoom);
            }
        }
    }

    /// <summary>Framing side: waits until the ordered stage has confirmed batch <paramref name="seq"/>.</summary>
    public void WaitConfirmed(long seq, FramingSink<TResult> sink)
    {
        lock (_framerRoom)
        {
            while (true)
            {
                lock (_gate)
                {
                    ThrowIfStoppedOrRewinding(sink);
                    if (_confirmedSeq >= seq)
                    {
                        _framerWaitsFor = FramerWait.None;
                        return;
                    }

                    _framerWaitsFor = FramerWait.Confirmation;
                }

                Monitor.Wait(_framerRoom);
            }
        }
    }

    private enum FramerWait
    {
        None,
        FreeBatch,
        Confirmation,
    }

    private FramerWait _framerWaitsFor;
    private int _idleWorkers;

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
        foreach (var room in new[] { _framerRoom, _workerRoom, _orderedRoom })
        {
            lock (room)
            {
                Monitor.PulseAll(room);
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
        bool next;
        lock (_gate)
        {
            batch.Done = true;
            next = _ordered.Count > 0 && _ordered.Peek() == batch;
        }

        if (next)
        {
            Wake(_orderedRoom);
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
        _decoder.Target = batch.RentEvent();
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
        var entry = new BatchEntry { Kind = EntryKind.Event, Event = auditEvent, Location = location, Redacted = _scratch.RedactedValues };
        _scratch.RedactedValues = 0;
        batch.AddOutput(in entry, _analyzer.Analyze(auditEvent, in location));
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic)
    {
        var entry = new BatchEntry { Kind = EntryKind.Diagnostic, Diagnostic = diagnostic, Skipped = _scratch.SkippedRecords > 0 };
        _scratch.SkippedRecords = 0;
        _batch!.AddOutput(in entry, default!);
    }
}
