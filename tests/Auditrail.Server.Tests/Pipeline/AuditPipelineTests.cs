using Auditrail.Server.Tests.Support;
using Auditrail.Server.Pipeline;
using static Auditrail.Server.Tests.Pipeline.PipelineHarness;

namespace Auditrail.Server.Tests.Pipeline;

public sealed class AuditPipelineTests
{
    [Fact]
    public async Task Events_are_stored_and_each_alert_reaches_the_store_and_both_sinks_once()
    {
        await using var harness = new PipelineHarness();
        var pipeline = await harness.StartAsync();
        await harness.Wal.AppendLinesAsync(Event("a1", 0), Event("a2", 1, resource: "secrets", name: "db"));
        var last = await harness.Wal.AppendLinesAsync(Event("a3", 2, resource: "secrets", name: "tls"), Event("a4", 3));
        await harness.WaitForProcessedAsync(last);

        Assert.Equal(4, harness.StoredEvents);
        Assert.Equal(["1-0", "2-0"], harness.StoredAlertIds());
        await WaitUntil(() => harness.FileSinkIds().Count == 2 && harness.Captured.Count == 2);
        Assert.Equal(["1-0", "2-0"], harness.FileSinkIds());
        Assert.Equal(["1-0", "2-0"], harness.Captured.Select(a => a.Id));
        Assert.Equal((4L, 4L, 2L), (pipeline.Status.EventsReceived, pipeline.Status.EventsProcessed, pipeline.Status.Alerts));
        Assert.Equal(last, harness.Wal.ReleasedSequence);
        Assert.Equal("prod", harness.Captured.First().Cluster);

        // A graceful stop records that the sinks have everything: the next start publishes nothing again.
        await harness.StopAsync();
        var restarted = await harness.StartAsync();
        Assert.Equal((last, 0L), (restarted.Status.ProcessedSequence, restarted.Status.Republished));
    }

    [Fact]
    public async Task A_batch_delivered_again_after_a_restart_raises_no_second_alert_even_without_stateful_rules()
    {
        // Only a stateless rule: the replay at start still runs, to remember which requests already alerted.
        await using var harness = new PipelineHarness("""
            rules:
              - name: secret-read
                severity: high
                condition: objectRef.resource == "secrets" && verb == "get"
            """);
        await harness.StartAsync();
        var first = await harness.Wal.AppendLinesAsync(Event("a1", 0, resource: "secrets"), Event("a2", 1));
        await harness.WaitForProcessedAsync(first);
        await harness.StopAsync();

        // The sender never saw the answer and sends the same batch again: a new log sequence, the same requests.
        var restarted = await harness.StartAsync();
        var again = await harness.Wal.AppendLinesAsync(Event("a1", 0, resource: "secrets"), Event("a2", 1));
        await harness.WaitForProcessedAsync(again);

        Assert.Equal(2, restarted.Status.WarmUpEvents);
        Assert.Equal(2, harness.StoredEvents);
        Assert.Equal(["1-0"], harness.StoredAlertIds());
        await harness.StopAsync();
        Assert.Equal(["1-0"], harness.FileSinkIds());
    }

    [Fact]
    public async Task A_crash_between_commit_and_release_stores_nothing_twice_and_loses_nothing()
    {
        await using var harness = new PipelineHarness();
        await harness.Wal.AppendLinesAsync(Event("a1", 0, resource: "secrets"), Event("a2", 1));
        await harness.Wal.AppendLinesAsync(Event("a3", 2, resource: "secrets"));
        await harness.StartAsync(_ => (step, _) => step == PipelineStep.Committed ? throw new SimulatedCrashException() : ValueTask.CompletedTask);
        await harness.WaitForCrashAsync();
        Assert.Equal(0, harness.Wal.ReleasedSequence);

        var restarted = await harness.StartAsync();
        Assert.Equal(2, harness.Wal.ReleasedSequence); // released on start, up to the committed checkpoint
        var last = await harness.Wal.AppendLinesAsync(Event("a4", 3, resource: "secrets"), Event("a2", 1));
        await harness.WaitForProcessedAsync(last);

        Assert.Equal(4, harness.StoredEvents);
        Assert.Equal(["1-0", "2-0", "3-0"], harness.StoredAlertIds());
        await WaitUntil(() => harness.FileSinkIds().Count == 3);
        await harness.StopAsync();

        // The crash came before the first batch's alerts were published: the restart published them.
        Assert.Equal(2, restarted.Status.Republished);
        Assert.Equal(["1-0", "2-0", "3-0"], harness.FileSinkIds());
        Assert.Equal(["1-0", "2-0", "3-0"], harness.Captured.Select(a => a.Id));
    }

    [Fact]
    public async Task Alerts_delivered_before_a_crash_are_published_again_and_the_file_sink_keeps_one_copy()
    {
        await using var harness = new PipelineHarness();
        await harness.StartAsync(_ => async (step, sequence) =>
        {
            if (step == PipelineStep.Published && sequence >= 2)
            {
                // Crash once the sinks have the alerts but before the next commit records that they do.
                await WaitUntil(() => harness.FileSinkIds().Count == 2 && harness.Captured.Count == 2);
                throw new SimulatedCrashException();
            }
        });
        await harness.Wal.AppendLinesAsync(Event("a1", 0, resource: "secrets"));
        await harness.WaitForProcessedAsync(1);
        await harness.Wal.AppendLinesAsync(Event("a2", 1, resource: "secrets"));
        await harness.WaitForCrashAsync();

        var restarted = await harness.StartAsync();
        var last = await harness.Wal.AppendLinesAsync(Event("a3", 2, resource: "secrets"));
        await harness.WaitForProcessedAsync(last);
        await WaitUntil(() => harness.Captured.Count >= 4);
        await harness.StopAsync();

        Assert.True(restarted.Status.Republished >= 1);
        Assert.Equal(["1-0", "2-0", "3-0"], harness.StoredAlertIds());
        Assert.Equal(["1-0", "2-0", "3-0"], harness.FileSinkIds());

        // The network-style sink is at least once: a repeat carries the id it was first sent with.
        Assert.Equal(["1-0", "2-0", "3-0"], harness.Captured.Select(a => a.Id).Distinct().Order());
        Assert.Contains(harness.Captured.GroupBy(a => a.Id), g => g.Count() > 1);
    }

    [Fact]
    public async Task Repeated_crashes_at_every_step_leave_the_store_and_the_file_sink_with_every_event_and_alert_once()
    {
        await using var harness = new PipelineHarness();
        const int records = 12;
        for (var r = 0; r < records; r++)
        {
            await harness.Wal.AppendLinesAsync(Event($"s{r}", r, resource: "secrets", name: $"s{r}"), Event($"p{r}", r + 0.5));
        }

        // Small batches, and a crash at each step in turn, each a few records further on.
        PipelineStep[] crashes = [PipelineStep.Committed, PipelineStep.Released, PipelineStep.Published];
        for (var i = 0; i < crashes.Length; i++)
        {
            var crashAt = crashes[i];
            var after = 3 * (i + 1);
            await harness.StartAsync(
                _ => (step, sequence) => step == crashAt && sequence >= after ? throw new SimulatedCrashException() : ValueTask.CompletedTask,
                options => options with { MaxEventsPerCommit = 4 });
            await harness.WaitForCrashAsync();
        }

        await harness.StartAsync(configure: options => options with { MaxEventsPerCommit = 4 });
        await harness.WaitForProcessedAsync(records);
        List<string?> expected = [.. Enumerable.Range(1, records).Select(r => $"{r}-0")];
        await WaitUntil(() => harness.FileSinkIds().Count >= records);
        await harness.StopAsync();

        Assert.Equal(2 * records, harness.StoredEvents);
        Assert.Equal(expected, harness.StoredAlertIds());
        Assert.Equal(expected, harness.FileSinkIds());
        Assert.Equal(expected.Order(StringComparer.Ordinal), harness.Captured.Select(a => a.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(records, harness.Wal.ReleasedSequence);
    }

    [Fact]
    public async Task A_threshold_that_straddles_a_restart_fires_as_it_would_have_without_one()
    {
        string[] first = [Event("f1", 0, code: 401), Event("f2", 10, code: 401)];
        string[] second = [Event("f3", 20, code: 401), Event("f4", 30, code: 401), Event("f5", 40, code: 401), Event("f6", 50, code: 401)];

        await using var uninterrupted = new PipelineHarness();
        await uninterrupted.Wal.AppendLinesAsync(first);
        await uninterrupted.Wal.AppendLinesAsync(second);
        await uninterrupted.StartAsync();
        await uninterrupted.WaitForProcessedAsync(2);
        await uninterrupted.StopAsync();

        await using var restarted = new PipelineHarness();
        await restarted.Wal.AppendLinesAsync(first);
        await restarted.StartAsync();
        await restarted.WaitForProcessedAsync(1);
        await restarted.StopAsync();
        var pipeline = await restarted.StartAsync();
        await restarted.Wal.AppendLinesAsync(second);
        await restarted.WaitForProcessedAsync(2);
        await restarted.StopAsync();

        Assert.Equal(2, pipeline.Status.WarmUpEvents);
        var expected = uninterrupted.Captured.Select(a => (a.Id, a.Rule, a.Count, string.Join(',', a.AuditIds))).ToList();
        Assert.Equal([("2-0", "failed-logins", 3, "f1,f2,f3"), ("2-1", "failed-logins", 3, "f4,f5,f6")], expected);
        Assert.Equal(expected, restarted.Captured.Select(a => (a.Id, a.Rule, a.Count, string.Join(',', a.AuditIds))));
        Assert.Equal(uninterrupted.StoredAlertIds(), restarted.StoredAlertIds());
    }

    [Fact]
    public async Task A_bad_line_is_counted_and_logged_with_its_record_and_line_and_the_rest_is_processed()
    {
        await using var harness = new PipelineHarness();
        var pipeline = await harness.StartAsync();
        await harness.Wal.AppendLinesAsync(Event("ok1", 0));
        var bad = await harness.Wal.AppendLinesAsync(Event("ok2", 1), "this line is not JSON", Event("ok3", 2, resource: "secrets"));
        await harness.WaitForProcessedAsync(bad);

        Assert.Equal(1, pipeline.Status.BadRecords);
        Assert.Equal(3, harness.StoredEvents);
        Assert.Equal(["2-0"], harness.StoredAlertIds());
        Assert.Contains(harness.Logs.Lines, l => l.Contains($"record {bad} (test) line 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_log_behind_the_store_checkpoint_is_read_from_its_start_rather_than_skipped()
    {
        await using var harness = new PipelineHarness();
        await harness.Wal.AppendLinesAsync(Event("old1", 0, resource: "secrets"));
        await harness.Wal.AppendLinesAsync(Event("old2", 1));
        await harness.StartAsync();
        await harness.WaitForProcessedAsync(2);
        await harness.StopAsync();

        harness.Wal = new InMemoryWriteAheadLog();
        var pipeline = await harness.StartAsync();
        var first = await harness.Wal.AppendLinesAsync(Event("new1", 2, resource: "secrets"));
        await WaitUntil(() => pipeline.Status.EventsProcessed == 1);

        Assert.Equal((1L, 3L), (first, harness.StoredEvents));
        Assert.Contains(harness.Logs.Lines, l => l.Contains("a new log", StringComparison.Ordinal));

        // The new log's sequences start again at 1; its alert ids carry the log's epoch, so the file sink,
        // which already holds 1-0, still writes the new alert.
        await WaitUntil(() => harness.FileSinkIds().Count == 2);
        Assert.Equal(["1-0", "1.1-0"], harness.FileSinkIds());
    }

    [Fact]
    public async Task Secret_values_are_redacted_before_they_are_stored_or_sent()
    {
        await using var harness = new PipelineHarness();
        await harness.StartAsync();
        var secret = new { kind = "Secret", apiVersion = "v1", metadata = new { name = "db" }, data = new { password = "aHVudGVyMg==" } };
        var last = await harness.Wal.AppendLinesAsync(Event("s1", 0, resource: "secrets", name: "db", responseObject: secret));
        await harness.WaitForProcessedAsync(last);

        var stored = harness.Store.GetEvent("s1");
        Assert.NotNull(stored);
        Assert.DoesNotContain("aHVudGVyMg==", stored, StringComparison.Ordinal);
        Assert.Contains("password", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Multi_stage_records_of_one_request_are_stored_once_and_alert_once()
    {
        await using var harness = new PipelineHarness();
        var pipeline = await harness.StartAsync();
        await harness.Wal.AppendLinesAsync(Event("m1", 0, resource: "secrets", stage: "RequestReceived"));
        var last = await harness.Wal.AppendLinesAsync(Event("m1", 0, resource: "secrets"), Event("m1", 0, resource: "secrets"));
        await harness.WaitForProcessedAsync(last);

        Assert.Equal(1, harness.StoredEvents);
        Assert.Equal(["2-0"], harness.StoredAlertIds());
        var stages = pipeline.Status.EventsByStage().ToDictionary(s => s.Stage, s => s.Events);
        Assert.Equal((1L, 2L), (stages[Core.Model.AuditStage.RequestReceived], stages[Core.Model.AuditStage.ResponseComplete]));
    }
}
