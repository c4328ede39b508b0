using System.Threading.Channels;
using Auditrail.Core.Model;
using Auditrail.Detection.Sinks;
using Auditrail.Server.Ingest;
using Auditrail.Storage.Writing;

namespace Auditrail.Server.Pipeline;

/// <summary>One batch of log records after detection: its events (owning their bytes), the alerts they raised and the counts to publish.</summary>
internal sealed record DetectedBatch(
    long Sequence,
    List<AuditEvent> Events,
    List<SequencedAlert> Alerts,
    long[] EventsByStage,
    long StateKeys,
    long StateEvictions,
    TimeSpan ProcessTime);

/// <summary>
/// The last stage, on a thread of its own so the store's work on one batch overlaps detection of the
/// next: appends a batch's events, commits them with its alerts and checkpoint, releases the log, then
/// publishes the alerts and starts responses. Batches arrive and are committed in log order.
/// </summary>
internal sealed class StoreStage(
    EventWriter writer,
    IWriteAheadLog wal,
    AlertDispatcher dispatcher,
    ResponseRunner? responses,
    DeliveryTracker tracker,
    PipelineStatus status,
    TimeProvider time,
    TimeSpan flushInterval,
    Func<PipelineStep, long, ValueTask> step)
{
    /// <summary>Commits batches until the channel completes; a failure ends the stage (the pipeline then stops as after a crash).</summary>
    public async Task RunAsync(ChannelReader<DetectedBatch> batches)
    {
        while (true)
        {
            if (batches.TryRead(out var batch))
            {
                await CommitAsync(batch).ConfigureAwait(false);
                continue;
            }

            var waiting = batches.WaitToReadAsync().AsTask();
            await RecordDeliveriesWhileIdleAsync(waiting).ConfigureAwait(false);
            if (!await waiting.ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// While no batch comes, every flush interval, records how far the sinks have settled, so an idle
    /// pipeline does not leave delivered alerts to be published again at the next start.
    /// </summary>
    private async Task RecordDeliveriesWhileIdleAsync(Task<bool> waiting)
    {
        while (!waiting.IsCompleted && tracker.Delivered < status.ProcessedSequence)
        {
            // No cancellation token: the channel completes at shutdown, which ends the wait; a timer left
            // running for at most one interval is harmless.
            await Task.WhenAny(waiting, Task.Delay(flushInterval, time)).ConfigureAwait(false);
            if (!waiting.IsCompleted && tracker.Advance(dispatcher.Snapshot()))
            {
                writer.Commit([], [new Checkpoint(AuditPipeline.DeliveredCheckpointName, tracker.Delivered)]);
            }
        }
    }

    private async Task CommitAsync(DetectedBatch batch)
    {
        var started = time.GetTimestamp();
        foreach (var auditEvent in batch.Events)
        {
            writer.Append(auditEvent);
        }

        tracker.Advance(dispatcher.Snapshot());
        writer.Commit(batch.Alerts, [new Checkpoint(AuditPipeline.CheckpointName, batch.Sequence), new Checkpoint(AuditPipeline.DeliveredCheckpointName, tracker.Delivered)]);
        status.AddTime(batch.ProcessTime, time.GetElapsedTime(started));
        status.Committed(batch.Sequence, time.GetUtcNow(), batch.Events.Count, batch.EventsByStage, batch.Alerts.Count, batch.StateKeys, batch.StateEvictions);
        await step(PipelineStep.Committed, batch.Sequence).ConfigureAwait(false);

        wal.Release(batch.Sequence);
        await step(PipelineStep.Released, batch.Sequence).ConfigureAwait(false);

        foreach (var (_, alert) in batch.Alerts)
        {
            dispatcher.Publish(alert);
            responses?.Enqueue(alert);
        }

        tracker.Published(batch.Sequence, batch.Alerts.Count);
        await step(PipelineStep.Published, batch.Sequence).ConfigureAwait(false);
    }
}
