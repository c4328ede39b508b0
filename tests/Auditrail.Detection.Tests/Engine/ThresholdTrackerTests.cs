using Auditrail.Core.Model;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Tests.Support;

namespace Auditrail.Detection.Tests.Engine;

/// <summary>Threshold windows in event time: bursts, slow drips, late events and the bound on keys.</summary>
public class ThresholdTrackerTests
{
    private static readonly RuleThreshold ThreePerMinute = new(3, TimeSpan.FromMinutes(1), ["sourceIP"]);

    private static readonly CompiledRule Rule = CompileRule();

    private static CompiledRule CompileRule()
    {
        var loader = new RulePackLoader();
        loader.LoadText("apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nrules:\n  - name: r\n    condition: 'true'\n", "t.yaml");
        return RuleSet.Compile(loader.Build(), []).Rules.Single();
    }

    private static AuditEvent Event(int second, string ip = "10.0.0.1", string id = "x")
    {
        var time = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(second).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var json = $$"""{"level":"Metadata","auditID":"{{id}}-{{second}}","stage":"ResponseComplete","verb":"get","sourceIPs":["{{ip}}"],"stageTimestamp":"{{time}}"}""";
        return Events.ReadText(json).Single();
    }

    [Fact]
    public void A_burst_alerts_once_per_completed_window()
    {
        var tracker = new ThresholdTracker();

        var results = Enumerable.Range(0, 7).Select(i => tracker.Observe(Rule, ThreePerMinute, Event(i))).ToList();

        Assert.Equal([false, false, true, false, false, true, false], results.Select(r => r is not null));
        Assert.Equal(3, results[2]!.Count);
    }

    [Fact]
    public void Matches_spread_wider_than_the_window_never_alert()
    {
        var tracker = new ThresholdTracker();

        Assert.All(Enumerable.Range(0, 10), i => Assert.Null(tracker.Observe(Rule, ThreePerMinute, Event(i * 40))));
    }

    [Fact]
    public void Keys_are_counted_apart()
    {
        var tracker = new ThresholdTracker();

        Assert.Null(tracker.Observe(Rule, ThreePerMinute, Event(0, "10.0.0.1")));
        Assert.Null(tracker.Observe(Rule, ThreePerMinute, Event(1, "10.0.0.2")));
        Assert.Null(tracker.Observe(Rule, ThreePerMinute, Event(2, "10.0.0.1")));
        Assert.Null(tracker.Observe(Rule, ThreePerMinute, Event(3, "10.0.0.2")));
        Assert.NotNull(tracker.Observe(Rule, ThreePerMinute, Event(4, "10.0.0.1")));
    }

    [Fact]
    public void A_late_event_inside_the_window_still_counts()
    {
        var tracker = new ThresholdTracker();

        Assert.Null(tracker.Observe(Rule, ThreePerMinute, Event(30)));
        Assert.Null(tracker.Observe(Rule, ThreePerMinute, Event(50)));
        Assert.NotNull(tracker.Observe(Rule, ThreePerMinute, Event(10)));
    }

    [Fact]
    public void Memory_is_bounded_by_evicting_the_least_recent_keys()
    {
        var tracker = new ThresholdTracker(maxKeys: 100);

        for (var i = 0; i < 1000; i++)
        {
            tracker.Observe(Rule, ThreePerMinute, Event(i % 50, $"10.0.{i / 250}.{i % 250}"));
        }

        Assert.Equal(900, tracker.Evicted);
    }
}
