using Auditrail.Detection.Stateful;
using static Auditrail.Detection.Tests.Support.Scenario;

namespace Auditrail.Detection.Tests.Stateful;

/// <summary>Threshold windows in event time: bursts, slow drips, late events and the bound on keys.</summary>
public class ThresholdDetectorTests
{
    private const string ThreePerMinute = """
        rules:
          - name: r
            condition: responseStatus.code == 401
            threshold: {count: 3, window: 1m, by: [sourceIP]}
        """;

    [Fact]
    public void A_burst_alerts_once_per_completed_window()
    {
        var engine = NewEngine(ThreePerMinute);
        var fired = Enumerable.Range(0, 7).Select(i =>
        {
            var alerts = Run(engine, [Event(Seconds(i), code: 401)]);
            return alerts.Count == 1 ? alerts[0].Count : 0;
        }).ToList();

        Assert.Equal([0, 0, 3, 0, 0, 3, 0], fired);
    }

    [Fact]
    public void An_alert_names_the_requests_and_the_window()
    {
        var alert = Assert.Single(Run(NewEngine(ThreePerMinute), [Event(Seconds(0), code: 401, id: "a"), Event(Seconds(1), code: 401, id: "b"), Event(Seconds(2), code: 401, id: "c")]));

        Assert.Equal(["a", "b", "c"], alert.AuditIds);
        Assert.Equal(TimeSpan.FromMinutes(1), alert.Window);
        Assert.Equal("3 matching events within 1m", alert.Detail);
    }

    [Fact]
    public void Matches_spread_wider_than_the_window_never_alert() =>
        Assert.Empty(Run(NewEngine(ThreePerMinute), Enumerable.Range(0, 10).Select(i => Event(Seconds(i * 40), code: 401))));

    [Fact]
    public void Only_matching_events_count() =>
        Assert.Empty(Run(NewEngine(ThreePerMinute), Enumerable.Range(0, 10).Select(i => Event(Seconds(i), code: i < 2 ? 401 : 403))));

    [Fact]
    public void Keys_are_counted_apart()
    {
        var alerts = Run(NewEngine(ThreePerMinute), [
            Event(Seconds(0), ip: "10.0.0.1", code: 401), Event(Seconds(1), ip: "10.0.0.2", code: 401),
            Event(Seconds(2), ip: "10.0.0.1", code: 401), Event(Seconds(3), ip: "10.0.0.2", code: 401),
            Event(Seconds(4), ip: "10.0.0.1", code: 401),
        ]);

        Assert.Equal("10.0.0.1", Assert.Single(alerts).SourceIp);
    }

    [Fact]
    public void A_late_event_inside_the_window_still_counts() =>
        Assert.Single(Run(NewEngine(ThreePerMinute), [Event(Seconds(30), code: 401), Event(Seconds(50), code: 401), Event(Seconds(10), code: 401)]));

    [Fact]
    public void An_event_later_than_the_tolerance_is_counted_as_late_and_left_out()
    {
        var engine = NewEngine(ThreePerMinute, DetectionOptions.Default with { LateTolerance = TimeSpan.FromSeconds(30) });

        var alerts = Run(engine, [Event(Seconds(100), code: 401), Event(Seconds(101), code: 401), Event(Seconds(60), code: 401)]);

        Assert.Empty(alerts);
        Assert.Equal(1, engine.LateEvents);
    }

    [Fact]
    public void Memory_is_bounded_by_evicting_the_least_recent_keys()
    {
        var engine = NewEngine(ThreePerMinute, DetectionOptions.Default with { MaxKeys = 100 });

        Run(engine, Enumerable.Range(0, 1000).Select(i => Event(Seconds(i % 50), ip: $"10.0.{i / 250}.{i % 250}", code: 401)));

        Assert.True(engine.StateKeys <= 100, $"{engine.StateKeys} keys held");
        Assert.Equal(1000 - engine.StateKeys, engine.EvictedKeys);
    }

    [Fact]
    public void Eviction_drops_the_least_recently_touched_keys_first()
    {
        var engine = NewEngine(ThreePerMinute, DetectionOptions.Default with { MaxKeys = 8 });

        // Key "10.0.0.0" is touched every sixth event, so it survives while one-off keys are evicted around it.
        var events = new List<Core.Model.AuditEvent>();
        for (var i = 1; i <= 20; i++)
        {
            events.Add(Event(Seconds(i), ip: $"10.0.1.{i}", code: 401));
            if (i % 6 == 0)
            {
                events.Add(Event(Seconds(i), ip: "10.0.0.0", code: 401));
            }
        }

        Assert.Equal("10.0.0.0", Assert.Single(Run(engine, events)).SourceIp);
        Assert.True(engine.EvictedKeys > 0);
    }
}
