using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Sinks;
using Auditrail.Server.Ingest;
using Auditrail.Storage;
using Auditrail.Storage.Queries;
using Auditrail.Storage.Writing;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Pipeline;

/// <summary>A point between the steps of a batch, where tests inject a crash.</summary>
internal enum PipelineStep
{
    /// <summary>The batch's events, alerts and checkpoint are committed; the log is not yet released.</summary>
    Committed,

    /// <summary>The log is released up to the batch; its alerts are not yet published.</summary>
    Released,

    /// <summary>The batch's alerts are queued for the sinks.</summary>
    Published,
}

/// <summary>
/// The live pipeline of <c>auditrail serve</c>: reads the write-ahead log in order, decodes and redacts
/// the events and matches rules on <see cref="PipelineOptions.Workers"/> threads, applies stateful rules
/// on one thread in log order, commits events and alerts to the store, then publishes alerts to the
/// sinks and runs automated responses.
/// </summary>
/// <remarks>
/// <para><b>Exactly once into the store.</b> Each batch of log records is committed in one store
/// transaction together with a checkpoint (the newest sequence in it); only then is the log released.
/// At start the pipeline reads the checkpoint and the log from just after it, so after a crash or
/// <c>kill -9</c> at any point every acknowledged event is stored once, and its alerts once.</para>
/// <para><b>Keyed state.</b> Stateful rules see events in log order on one thread. At start, the stored
/// events of the last <see cref="PipelineOptions.WarmUp"/> (by event time) are replayed through them with
/// alerts suppressed, so a window that straddles a restart fires as it would have without one. The store
/// keeps each request's most complete stage, so a stateful rule that counts RequestReceived records is
/// warmed with fewer events than it saw. The replay also refills the engine's memory of (rule, auditID)
/// pairs, for every rule, so a batch delivered a second time under a new log sequence (kube-apiserver
/// resending a batch whose answer it lost, a tailer re-appending a batch it had not checkpointed) adds no
/// stored event, as the store dedupes, and no second alert.</para>
/// <para><b>Alerts to sinks.</b> Alerts are published only after their commit, each with a stable
/// <see cref="Alert.Id"/> (<c>SEQUENCE-INDEX</c>, prefixed <c>EPOCH.</c> once the log has been replaced). The pipeline commits, with each batch, the sequence up
/// to which every sink has settled every alert; at start it publishes again the alerts committed after
/// that point. Network sinks are therefore at least once (a receiver dedupes by the id in the payload);
/// a file sink opened with <see cref="JsonLinesAlertSink.ResumeFile"/> skips ids already in its file, so
/// the file holds each alert exactly once. A sink's full queue or exhausted retries still lose alerts,
/// counted as dropped or failed.</para>
/// <para><b>Responses</b> run for fresh alerts after their commit and are not repeated for re-published
/// ones: an action on the cluster is at most once.</para>
/// </remarks>
public sealed partial class AuditPipeline
{
    /// <summary>The store checkpoint naming the newest committed log sequence.</summary>
    public const string CheckpointName = "pipeline";

    /// <summary>The store checkpoint naming the sequence up to which every alert is settled at every sink.</summary>
    public const string DeliveredCheckpointName = "pipeline.alerts-delivered";

    /// <summary>
    /// The store checkpoint counting write-ahead logs replaced under the store: alert ids of a later log
    /// are prefixed <c>EPOCH.</c>, so they never collide with ids a sink already holds from an earlier one.
    /// </summary>
    public const string LogEpochName = "pipeline.log-epoch";

    /// <summary>Stored events per warm-up read call: one JSON-lines buffer instead of a stream per event.</summary>
    private const int WarmUpChunkEvents = 4096;

    private readonly IWriteAheadLog _wal;
    private readonly IEventStore _store;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentBag<RuleMatchAnalyzer> _analyzers = [];
    private AlertDispatcher? _dispatcher;

    /// <param name="wal">Read from the store's checkpoint on; released as batches are committed.</param>
    /// <param name="store">Opened for writing (its single writer) for as long as <see cref="RunAsync"/> runs.</param>
    /// <param name="options">Rules, sinks, responses and batching.</param>
    /// <param name="time">The clock for flush intervals, drain timeouts and commit times; event windows use event time.</param>
    /// <param name="logger">Where bad records, recovery and failures are logged (never event contents).</param>
    public AuditPipeline(IWriteAheadLog wal, IEventStore store, PipelineOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(wal);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1, nameof(options.Workers));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FlushInterval, TimeSpan.Zero, nameof(options.FlushInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEventsPerCommit, 1, nameof(options.MaxEventsPerCommit));
        (_wal, _store, _options, _time, _logger) = (wal, store, options, time, logger);
        Status = new PipelineStatus([.. options.Rules.Rules.Select(r => r.Definition.Name)]);
    }

    public PipelineStatus Status { get; }

    /// <summary>Each sink's counters and queue depth; empty before the pipeline starts.</summary>
    public IReadOnlyList<SinkStatistics> SinkStatistics => _dispatcher?.Snapshot() ?? [];

    /// <summary>Bytes in the write-ahead log not yet released.</summary>
    public long WalPendingBytes => _wal.PendingBytes;

    /// <summary>Log records appended but not yet committed to the store.</summary>
    public long CheckpointLag => Math.Max(0, _wal.LastSequence - Status.ProcessedSequence);

    /// <summary>Called between the steps of each batch; a test throws here to simulate a crash.</summary>
    internal Func<PipelineStep, long, ValueTask>? StepHook { get; set; }

    /// <summary>
    /// Recovers, then processes the log until <paramref name="cancellationToken"/> is cancelled: the batch in
    /// hand is committed, sinks and responses get <see cref="PipelineOptions.DrainTimeout"/> to finish. Any
    /// other exception stops the pipeline as a crash would (nothing drained) and is rethrown.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Recovery reads the store; the caller (host start-up) should not wait for it.
        await Task.Yield();
        try
        {
            await RunCoreAsync(cancellationToken).ConfigureAwait(false);
            Status.SetPhase(PipelinePhase.Stopped);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Status.SetPhase(PipelinePhase.Stopped);
        }
        catch (Exception error)
        {
            LogFailed(_logger, error);
            Status.Fail(error);
            throw;
        }
    }

    private async Task RunCoreAsync(CancellationToken cancellationToken)
    {
        // The writer's automatic merge is off (batch size beyond any batch): events must reach the store
        // only in Commit, together with their checkpoint.
        using var writer = _store.OpenWriter(int.MaxValue);
        var (checkpoint, epoch) = Resume(writer);
        var tracker = new DeliveryTracker(Math.Min(writer.ReadCheckpoint(DeliveredCheckpointName) ?? 0, checkpoint));

        var engine = new DetectionEngine(_options.Rules, _options.Detection);
        Status.SetPhase(PipelinePhase.WarmingUp);
        WarmUp(engine, writer, cancellationToken);

        var dispatcher = new AlertDispatcher(_options.Sinks, _time);
        _dispatcher = dispatcher;
        var responses = _options.Responses is { } responseEngine ? new ResponseRunner(responseEngine, Status) : null;
        var graceful = false;
        try
        {
            Status.SetPhase(PipelinePhase.Republishing);
            var unsettled = writer.ReadAlerts(tracker.Delivered, checkpoint);
            foreach (var (_, alert) in unsettled)
            {
                dispatcher.Publish(alert);
            }

            tracker.Published(checkpoint, unsettled.Count);
            Status.AddRepublished(unsettled.Count);
            if (unsettled.Count > 0)
            {
                LogRepublished(_logger, unsettled.Count, tracker.Delivered, checkpoint);
            }

            Status.SetPhase(PipelinePhase.Running);
            LogStarted(_logger, checkpoint, Status.WarmUpEvents);
            try
            {
                await ProcessLogAsync(checkpoint, epoch, engine, writer, dispatcher, responses, tracker, cancellationToken).ConfigureAwait(false);

                // The log ended its enumeration (it was closed first at shutdown): a stop like any other.
                graceful = true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                graceful = true;
                throw;
            }
        }
        finally
        {
            if (graceful)
            {
                await DrainAsync(dispatcher, responses).ConfigureAwait(false);
                if (tracker.Advance(dispatcher.Snapshot()))
                {
                    writer.Commit([], [new Checkpoint(DeliveredCheckpointName, tracker.Delivered)]);
                }
            }
            else
            {
                // A crash: nothing half-processed is stored and nothing queued is delivered, as after
                // kill -9; the next start reads the batch again and re-publishes what was committed.
                writer.DiscardPending();
                dispatcher.Abort();
                await dispatcher.DisposeAsync().ConfigureAwait(false);
            }

            if (responses is not null)
            {
                await responses.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The committed checkpoint, checked against the log, which is released up to it (a crash may have come between commit and release).</summary>
    private (long Checkpoint, long Epoch) Resume(EventWriter writer)
    {
        Status.SetPhase(PipelinePhase.Starting);
        var checkpoint = writer.ReadCheckpoint(CheckpointName) ?? 0;
        var epoch = writer.ReadCheckpoint(LogEpochName) ?? 0;
        var known = Math.Max(_wal.LastSequence, _wal.ReleasedSequence);
        if (checkpoint > known)
        {
            // Sequences are never reused, so a log that knows of nothing up to the store's checkpoint is a new
            // log (its folder was replaced): reading from the checkpoint would skip all of it.
            LogLogBehindStore(_logger, known, checkpoint);
            checkpoint = known;
            epoch++;
            writer.Commit([], [new Checkpoint(CheckpointName, checkpoint), new Checkpoint(DeliveredCheckpointName, checkpoint), new Checkpoint(LogEpochName, epoch)]);
        }
        else if (checkpoint > _wal.ReleasedSequence)
        {
            _wal.Release(checkpoint);
        }

        Status.Resumed(checkpoint);
        return (checkpoint, epoch);
    }

    /// <summary>Replays the newest stored events through the engine with alerts suppressed, rebuilding windows and request dedup.</summary>
    private void WarmUp(DetectionEngine engine, EventWriter writer, CancellationToken cancellationToken)
    {
        var span = _options.WarmUp;
        if (span <= TimeSpan.Zero || _options.Rules.Rules.Count == 0 || writer.NewestEventTime() is not { } newest)
        {
            return;
        }

        var handler = new WarmUpHandler(engine, Status);
        var reader = new AuditLogReader();
        var chunk = new ArrayBufferWriter<byte>(1 << 20);
        var events = 0;
        foreach (var json in _store.ReadEventsInTimeOrder(new QueryWindow { Since = newest - span }))
        {
            chunk.Write(json);
            chunk.Write("\n"u8);
            if (++events % WarmUpChunkEvents == 0)
            {
                reader.ReadBytes(chunk.WrittenMemory, "store", handler, cancellationToken);
                chunk.ResetWrittenCount();
            }
        }

        if (chunk.WrittenCount > 0)
        {
            reader.ReadBytes(chunk.WrittenMemory, "store", handler, cancellationToken);
        }
    }

    /// <summary>
    /// Reads, decodes and detects here; commits on the store stage, which works on one batch while this
    /// loop detects the next. At most one detected batch waits between them, which bounds memory.
    /// </summary>
    private async Task ProcessLogAsync(long checkpoint, long epoch, DetectionEngine engine, EventWriter writer, AlertDispatcher dispatcher, ResponseRunner? responses,
        DeliveryTracker tracker, CancellationToken cancellationToken)
    {
        var detected = Channel.CreateBounded<DetectedBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var storeStage = new StoreStage(writer, _wal, dispatcher, responses, tracker, Status, _time, _options.FlushInterval, Step);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var storing = Task.Run(async () =>
        {
            try
            {
                await storeStage.RunAsync(detected.Reader).ConfigureAwait(false);
            }
            finally
            {
                // A failed store stage stops the reading too; after a graceful end this changes nothing.
                await reading.CancelAsync().ConfigureAwait(false);
            }
        }, CancellationToken.None);

        try
        {
            await DetectLogAsync(checkpoint, epoch, engine, detected.Writer, reading.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The store stage failed and stopped the reading: its failure is the one to report (below).
        }
        finally
        {
            // Batches already detected are whole: the store stage commits them before it ends.
            detected.Writer.TryComplete();
            await storing.ConfigureAwait(false);
        }
    }

    private async Task DetectLogAsync(long checkpoint, long epoch, DetectionEngine engine, ChannelWriter<DetectedBatch> detected, CancellationToken cancellationToken)
    {
        var batch = new WalBatch();
        var stage = new OrderedStage(engine, Status, _logger, epoch == 0 ? string.Empty : FormattableString.Invariant($"{epoch}."));
        var reader = new ParallelAuditLogReader(workers: _options.Workers);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var records = _wal.ReadAsync(checkpoint, reading.Token).GetAsyncEnumerator(reading.Token);
        Task<bool>? move = null;
        try
        {
            while (true)
            {
                move ??= records.MoveNextAsync().AsTask();
                if (!await move.ConfigureAwait(false))
                {
                    return;
                }

                // Take what the log already holds, up to the batch limits; an idle log commits at once.
                var started = _time.GetTimestamp();
                var ended = false;
                Add(batch, records.Current);
                move = null;
                while (batch.Events < _options.MaxEventsPerCommit && _time.GetElapsedTime(started) < _options.FlushInterval)
                {
                    move = records.MoveNextAsync().AsTask();
                    if (!move.IsCompleted)
                    {
                        break;
                    }

                    if (!await move.ConfigureAwait(false))
                    {
                        ended = true;
                        break;
                    }

                    Add(batch, records.Current);
                    move = null;
                }

                var detectedBatch = Detect(batch, reader, stage, engine);
                batch.Clear();
                await detected.WriteAsync(detectedBatch, cancellationToken).ConfigureAwait(false);
                if (ended)
                {
                    return;
                }
            }
        }
        finally
        {
            await CloseLogAsync(records, move, reading).ConfigureAwait(false);
        }
    }

    /// <summary>An async enumerator cannot be disposed while a read is pending: the read is cancelled and awaited first.</summary>
    private static async Task CloseLogAsync(IAsyncEnumerator<WalRecord> records, Task<bool>? move, CancellationTokenSource reading)
    {
        await reading.CancelAsync().ConfigureAwait(false);
        if (move is not null)
        {
            try
            {
                await move.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected: cancelled just above.
            }
        }

        await records.DisposeAsync().ConfigureAwait(false);
    }

    private void Add(WalBatch batch, in WalRecord record)
    {
        batch.Add(record);
        Status.AddReceived(record.Events);
    }

    /// <summary>Decodes and matches on the workers, applies in order here; not cancellable, so a batch is detected whole.</summary>
    private DetectedBatch Detect(WalBatch batch, ParallelAuditLogReader reader, OrderedStage stage, DetectionEngine engine)
    {
        var started = _time.GetTimestamp();
        stage.Begin(batch);
        var created = new ConcurrentBag<RuleMatchAnalyzer>();
        reader.ReadBytes(batch.Payload, "wal", () =>
        {
            var analyzer = _analyzers.TryTake(out var pooled) ? pooled : new RuleMatchAnalyzer(_options.Rules);
            created.Add(analyzer);
            return analyzer;
        }, stage, CancellationToken.None);
        foreach (var analyzer in created)
        {
            _analyzers.Add(analyzer);
        }

        return new DetectedBatch(batch.LastSequence, stage.Events, stage.Alerts, stage.EventsByStage, engine.StateKeys, engine.EvictedKeys, _time.GetElapsedTime(started));
    }

    private ValueTask Step(PipelineStep step, long sequence) => StepHook?.Invoke(step, sequence) ?? ValueTask.CompletedTask;

    private async Task DrainAsync(AlertDispatcher dispatcher, ResponseRunner? responses)
    {
        var started = _time.GetTimestamp();
        try
        {
            await dispatcher.DisposeAsync().AsTask().WaitAsync(_options.DrainTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogDrainTimedOut(_logger, _options.DrainTimeout);
            dispatcher.Abort();
        }

        if (responses is not null)
        {
            var left = _options.DrainTimeout - _time.GetElapsedTime(started);
            await responses.DrainAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 9100, Level = LogLevel.Information, Message = "pipeline running from write-ahead-log sequence {Checkpoint}; {WarmUpEvents} stored events replayed into stateful rules")]
    private static partial void LogStarted(ILogger logger, long checkpoint, long warmUpEvents);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Information, Message = "publishing again {Alerts} alerts committed after sequence {Delivered} up to {Checkpoint}, which sinks may not have received before the last stop")]
    private static partial void LogRepublished(ILogger logger, int alerts, long delivered, long checkpoint);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning, Message = "the write-ahead log ends at sequence {LogSequence}, before the store's checkpoint {Checkpoint}: a new log; reading it from its start")]
    private static partial void LogLogBehindStore(ILogger logger, long logSequence, long checkpoint);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Warning, Message = "sinks did not drain within {Timeout}; their queued alerts are published again at the next start")]
    private static partial void LogDrainTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Critical, Message = "the pipeline stopped")]
    private static partial void LogFailed(ILogger logger, Exception error);

    /// <summary>Feeds stored events to the engine and drops what it raises: those alerts were raised (and stored) before.</summary>
    private sealed class WarmUpHandler(DetectionEngine engine, PipelineStatus status) : IAuditEventHandler
    {
        private static readonly Action<Alert> Discard = static _ => { };

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            engine.Process(auditEvent, Discard);
            status.AddWarmUpEvent();
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
            // The store holds events the reader wrote; a diagnostic here means nothing new about the log.
        }
    }
}
