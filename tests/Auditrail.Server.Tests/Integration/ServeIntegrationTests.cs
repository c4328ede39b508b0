using Auditrail.Server.Ingest;
using Auditrail.Server.Pipeline;
using Auditrail.Server.Tests.Pipeline;
using static Auditrail.Server.Tests.Integration.ServeHarness;

namespace Auditrail.Server.Tests.Integration;

/// <summary>
/// The webhook, file tailing, the real disk-backed write-ahead log, the pipeline and the DuckDB store
/// together in one loopback server, across restarts, back-pressure and a crash.
/// </summary>
public sealed class ServeIntegrationTests
{
    [Fact]
    public async Task Webhook_batches_and_tailed_lines_reach_the_store_and_sinks_exactly_once_across_a_restart_and_released_segments_are_deleted()
    {
        await using var serve = new ServeHarness();
        await serve.StartAsync(new ServeSetup { TailFile = true });
        for (var i = 0; i < 4; i++)
        {
            await serve.PostAcceptedAsync("east", Batch($"east{i}", 5));
        }

        serve.AppendToAuditLog(Batch("tail0", 4));
        await WaitUntil(() => serve.StoredEventCount == 24, "24 events stored");

        // Everything is committed, so everything is released and only the newest segment is kept.
        await WaitUntil(() => serve.Wal.PendingBytes == 0 && serve.SegmentFiles().Length == 1, "released segments deleted");
        Assert.True(serve.Wal.LastSequence >= 5, $"only {serve.Wal.LastSequence} records: the segments were not exercised");

        // Acknowledged just before the stop, not waited for: the next process must store it.
        await serve.PostAcceptedAsync("west", Batch("west0", 5));
        await serve.StopAsync();

        await serve.StartAsync(new ServeSetup { TailFile = true });
        await serve.PostAcceptedAsync("west", Batch("west1", 5));
        serve.AppendToAuditLog(Batch("tail1", 4));
        await WaitUntil(() => serve.StoredEventCount == 38, "38 events stored");
        await WaitUntil(() => serve.FileSinkIds().Count >= 22, "22 alerts in the file");
        await WaitUntil(() => serve.Wal.PendingBytes == 0 && serve.SegmentFiles().Length <= 1, "released segments deleted");

        var stored = serve.StoredEvents();
        Assert.Equal(38, stored.Select(e => e.AuditId).Distinct().Count());
        Assert.All(stored, e => Assert.Equal(e.AuditId.StartsWith("east", StringComparison.Ordinal) ? "east" : e.AuditId.StartsWith("west", StringComparison.Ordinal) ? "west" : "tailed", e.Cluster));
        Assert.Equal(38, serve.EventsProcessedByAllRuns);
        await serve.StopAsync();

        // Per 5-event batch 3 Secret reads, per 4-event batch 2: 6 × 3 + 2 × 2.
        await serve.StartAsync();
        var alerts = serve.StoredAlertIds();
        Assert.Equal(22, alerts.Count);
        Assert.Equal(alerts.Count, alerts.Distinct().Count());
        var inFile = serve.FileSinkIds();
        Assert.Equal(alerts, inFile.Order(StringComparer.Ordinal));
        Assert.Equal(22, serve.Captured.Select(a => a.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_full_log_answers_429_and_the_retried_batch_is_stored_once_after_the_pipeline_drains()
    {
        await using var serve = new ServeHarness();
        var drain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await serve.StartAsync(new ServeSetup
        {
            CapacityBytes = 8_000,
            // The pipeline stalls after its first commit, before releasing: nothing frees capacity.
            StepHook = async (step, _) =>
            {
                if (step == PipelineStep.Committed)
                {
                    await drain.Task;
                }
            },
        });

        await serve.PostAcceptedAsync("east", Batch("first", 10));
        Assert.InRange(serve.Wal.PendingBytes, 4_001, 8_000);
        var second = Batch("second", 10);
        Assert.Equal(429, await serve.PostAsync("east", second));
        Assert.Equal(429, await serve.PostAsync("east", second));

        drain.SetResult();
        await WaitUntil(() => serve.Wal.PendingBytes == 0, "the log drained");
        await serve.PostAcceptedAsync("east", second);
        await WaitUntil(() => serve.StoredEventCount == 20, "20 events stored");
        await WaitUntil(() => serve.FileSinkIds().Count >= 10, "10 alerts in the file");

        Assert.Equal(10, serve.StoredEvents().Count(e => e.AuditId.StartsWith("second-", StringComparison.Ordinal)));
        Assert.Equal(20, serve.EventsProcessedByAllRuns);
        Assert.Equal(2, serve.Wal.LastSequence);
        Assert.Equal(10, serve.StoredAlertIds().Distinct().Count());
    }

    [Fact]
    public async Task A_crash_between_store_commit_and_log_release_repeats_nothing_after_restart_on_the_real_log()
    {
        await using var serve = new ServeHarness();
        var allSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashed = 0;
        await serve.StartAsync(new ServeSetup
        {
            StepHook = async (step, sequence) =>
            {
                if (step == PipelineStep.Committed && sequence >= 3 && Interlocked.Exchange(ref crashed, 1) == 0)
                {
                    await allSent.Task;
                    throw new SimulatedCrashException();
                }
            },
        });

        for (var i = 0; i < 3; i++)
        {
            await serve.PostAcceptedAsync("east", Batch($"before{i}", 5));
        }

        allSent.SetResult();
        await WaitUntil(() => serve.Pipeline.Status.Failure is SimulatedCrashException, "the pipeline crashed");
        Assert.Equal(3, serve.Pipeline.Status.ProcessedSequence);
        await serve.StopAsync(crashed: true);

        // The store holds sequence 3 but the log never heard: its persisted mark lags and the records are on disk.
        await using (var wal = WriteAheadLog.Open(new WriteAheadLogOptions { Directory = serve.WalDirectory, SegmentBytes = 4096 }, TimeProvider.System))
        {
            Assert.True(wal.ReleasedSequence < 3, $"released {wal.ReleasedSequence}");
            Assert.Equal(3, wal.LastSequence);
            Assert.True(wal.PendingBytes > 0);
        }

        await serve.StartAsync();
        await serve.PostAcceptedAsync("east", Batch("after", 5));
        await serve.WaitForProcessedAsync(4);
        await WaitUntil(() => serve.FileSinkIds().Count >= 12, "12 alerts in the file");
        await WaitUntil(() => serve.Wal.PendingBytes == 0 && serve.SegmentFiles().Length <= 1, "released segments deleted");

        Assert.Equal(20, serve.EventsProcessedByAllRuns);
        Assert.Equal(20, serve.StoredEvents().Select(e => e.AuditId).Distinct().Count());
        var alerts = serve.StoredAlertIds();
        Assert.Equal(12, alerts.Count);
        Assert.Equal(alerts, serve.FileSinkIds().Order(StringComparer.Ordinal));
        Assert.Equal(12, serve.Captured.Select(a => a.Id).Distinct().Count());
    }
}
