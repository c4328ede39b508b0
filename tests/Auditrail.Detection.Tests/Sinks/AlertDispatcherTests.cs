using System.Net;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Sinks;
using Microsoft.Extensions.Time.Testing;
using static Auditrail.Detection.Tests.Sinks.SinkTestAlerts;

namespace Auditrail.Detection.Tests.Sinks;

public sealed class AlertDispatcherTests
{
    private static readonly RetryPolicy FastRetry = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task Filters_pass_only_alerts_at_or_above_the_severity_matching_a_rule_glob_and_a_tag()
    {
        var sink = new RecordingSink();
        var filter = new AlertFilter(Severity.Medium, rules: ["Secret *", "Exec into pod"], tags: ["secrets", "exec"]);
        await using (var dispatcher = new AlertDispatcher([(sink, new SinkOptions { Filter = filter })], TimeProvider.System))
        {
            dispatcher.Publish(Make(rule: "Secret read", severity: Severity.High));
            dispatcher.Publish(Make(rule: "Secret read", severity: Severity.Low));
            dispatcher.Publish(Make(rule: "Exec into pod", severity: Severity.Critical, tags: ["exec"]));
            dispatcher.Publish(Make(rule: "Exec into pod (2)", severity: Severity.Critical, tags: ["exec"]));
            dispatcher.Publish(Make(rule: "Secret list", severity: Severity.Medium, tags: ["rbac"]));
        }

        Assert.Equal(["Secret read", "Exec into pod"], sink.Alerts.Select(a => a.Rule));
    }

    [Fact]
    public async Task Filter_statistics_count_what_the_sink_did_not_want()
    {
        var sink = new RecordingSink();
        var dispatcher = new AlertDispatcher([(sink, new SinkOptions { Filter = new AlertFilter(Severity.Critical) })], TimeProvider.System);
        dispatcher.Publish(Make(severity: Severity.High));
        dispatcher.Publish(Make(severity: Severity.Critical));
        await dispatcher.DisposeAsync();

        var stats = Assert.Single(dispatcher.Snapshot());
        Assert.Equal((1L, 1L), (stats.Sent, stats.Filtered));
    }

    [Fact]
    public async Task Dedup_folds_same_rule_and_key_within_the_event_time_window_and_releases_on_the_clock()
    {
        var time = new FakeTimeProvider(T0);
        var sink = new RecordingSink();
        var dispatcher = new AlertDispatcher([(sink, new SinkOptions { DedupWindow = TimeSpan.FromMinutes(1) })], time);
        dispatcher.Publish(Make(secondsAfterT0: 0, auditId: "a"));
        dispatcher.Publish(Make(secondsAfterT0: 20, auditId: "b"));
        dispatcher.Publish(Make(secondsAfterT0: 59, auditId: "c"));
        dispatcher.Publish(Make(secondsAfterT0: 30, target: "prod/secrets/other", auditId: "d"));

        // Nothing leaves before the window has passed on the clock.
        await Task.Delay(50);
        Assert.Empty(sink.Alerts);

        time.Advance(TimeSpan.FromSeconds(61));
        await WaitUntil(() => sink.Alerts.Count() == 2);
        var merged = sink.Alerts.Single(a => a.Target == "prod/secrets/db-password");
        Assert.Equal(3, merged.Count);
        Assert.Equal(["a", "b", "c"], merged.AuditIds);
        Assert.Equal(TimeSpan.FromMinutes(1), merged.Window);
        Assert.Equal(1, sink.Alerts.Single(a => a.Target == "prod/secrets/other").Count);
        await dispatcher.DisposeAsync();
        Assert.Equal(2, dispatcher.Snapshot()[0].Deduplicated);
    }

    [Fact]
    public async Task Dedup_releases_a_group_when_the_same_key_arrives_after_the_window_in_event_time()
    {
        var time = new FakeTimeProvider(T0);
        var sink = new RecordingSink();
        var dispatcher = new AlertDispatcher([(sink, new SinkOptions { DedupWindow = TimeSpan.FromMinutes(1) })], time);
        dispatcher.Publish(Make(secondsAfterT0: 0));
        dispatcher.Publish(Make(secondsAfterT0: 10));
        dispatcher.Publish(Make(secondsAfterT0: 60));

        // Event time alone (no clock advance) closes the first group: a replayed log dedups like live traffic.
        await WaitUntil(() => sink.Alerts.Count() == 1);
        Assert.Equal(2, sink.Alerts.Single().Count);
        await dispatcher.DisposeAsync();
        Assert.Equal([2, 1], sink.Alerts.Select(a => a.Count));
    }

    [Fact]
    public async Task Rate_limit_sends_the_burst_then_one_alert_per_token_refill()
    {
        var time = new FakeTimeProvider(T0);
        var sink = new RecordingSink();
        var options = new SinkOptions { RatePerSecond = 1, Burst = 2, MaxBatchSize = 1 };
        var dispatcher = new AlertDispatcher([(sink, options)], time);
        for (var i = 0; i < 5; i++)
        {
            dispatcher.Publish(Make(secondsAfterT0: i));
        }

        await WaitUntil(() => sink.Alerts.Count() == 2);
        await Task.Delay(50);
        Assert.Equal(2, sink.Alerts.Count());

        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => sink.Alerts.Count() == 3);
        time.Advance(TimeSpan.FromSeconds(2));
        await WaitUntil(() => sink.Alerts.Count() == 5);
        await dispatcher.DisposeAsync();
        Assert.Equal(5, dispatcher.Snapshot()[0].Sent);
    }

    [Fact]
    public async Task A_full_queue_drops_its_oldest_alerts_and_counts_them_without_blocking_the_publisher()
    {
        var sink = new RecordingSink();
        sink.Hold();
        var dispatcher = new AlertDispatcher([(sink, new SinkOptions { QueueCapacity = 2, MaxBatchSize = 1 })], TimeProvider.System);
        dispatcher.Publish(Make(auditId: "1"));
        await WaitUntil(() => Volatile.Read(ref sink.Calls) == 1);
        foreach (var id in new[] { "2", "3", "4", "5" })
        {
            dispatcher.Publish(Make(auditId: id));
        }

        Assert.Equal(2, dispatcher.Snapshot()[0].Dropped);
        sink.Release();
        await dispatcher.DisposeAsync();
        Assert.Equal(["1", "4", "5"], sink.Alerts.Select(a => a.AuditIds[0]));
    }

    [Fact]
    public async Task Transient_failures_are_retried_then_delivered_and_counted()
    {
        var sink = new RecordingSink { FailOnCall = call => call <= 2 ? new AlertSinkException("busy", isTransient: true) : null };
        var dispatcher = new AlertDispatcher([(sink, new SinkOptions { Retry = FastRetry })], TimeProvider.System);
        dispatcher.Publish(Make());
        await dispatcher.DisposeAsync();

        var stats = dispatcher.Snapshot()[0];
        Assert.Equal((1L, 0L, 2L), (stats.Sent, stats.Failed, stats.Retried));
    }

    [Fact]
    public async Task Retries_give_up_after_the_configured_attempts()
    {
        var sink = new RecordingSink { FailOnCall = _ => new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable) };
        var dispatcher = new AlertDispatcher([(sink, new SinkOptions { Retry = FastRetry })], TimeProvider.System);
        dispatcher.Publish(Make());
        await dispatcher.DisposeAsync();

        var stats = dispatcher.Snapshot()[0];
        Assert.Equal(3, sink.Calls);
        Assert.Equal((0L, 1L, 2L), (stats.Sent, stats.Failed, stats.Retried));
    }

    [Fact]
    public async Task Permanent_failures_are_not_retried()
    {
        var sink = new RecordingSink { FailOnCall = _ => new AlertSinkException("bad request", isTransient: false) };
        var dispatcher = new AlertDispatcher([(sink, new SinkOptions { Retry = FastRetry })], TimeProvider.System);
        dispatcher.Publish(Make());
        await dispatcher.DisposeAsync();

        Assert.Equal(1, sink.Calls);
        Assert.Equal((1L, 0L), (dispatcher.Snapshot()[0].Failed, dispatcher.Snapshot()[0].Retried));
    }

    [Fact]
    public async Task A_stuck_sink_delays_neither_the_publisher_nor_another_sink()
    {
        var stuck = new RecordingSink("stuck");
        stuck.Hold();
        var healthy = new RecordingSink("healthy");
        var dispatcher = new AlertDispatcher([(stuck, new SinkOptions { QueueCapacity = 10 }), (healthy, new SinkOptions())], TimeProvider.System);
        for (var i = 0; i < 1000; i++)
        {
            dispatcher.Publish(Make(secondsAfterT0: i));
        }

        await WaitUntil(() => healthy.Alerts.Count() == 1000);
        Assert.Empty(stuck.Alerts);
        Assert.True(dispatcher.Snapshot()[0].Dropped >= 1000 - 10 - 100);
        dispatcher.Abort();
        await dispatcher.DisposeAsync();
    }

    [Fact]
    public void Sink_names_must_be_unique()
    {
        var error = Assert.Throws<ArgumentException>(() => new AlertDispatcher([(new RecordingSink("a"), new SinkOptions()), (new RecordingSink("a"), new SinkOptions())], TimeProvider.System));
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0.0, 50)]
    [InlineData(1, 0.999, 100)]
    [InlineData(3, 0.0, 200)]
    [InlineData(10, 0.0, 500)]
    public void Backoff_doubles_with_equal_jitter_and_is_capped(int attempt, double random, int expectedMs)
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) };
        Assert.Equal(expectedMs, policy.DelayAfter(attempt, random).TotalMilliseconds, 0);
    }

    [Fact]
    public void Backoff_honours_a_longer_retry_after_up_to_the_cap()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(10) };
        Assert.Equal(TimeSpan.FromSeconds(3), policy.DelayAfter(1, 0, TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(10), policy.DelayAfter(1, 0, TimeSpan.FromHours(1)));
    }
}
