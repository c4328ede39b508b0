using Auditrail.Detection.Sinks;
using Microsoft.Extensions.Time.Testing;
using static Auditrail.Detection.Tests.Sinks.SinkTestAlerts;

namespace Auditrail.Detection.Tests.Sinks;

public sealed class AlertDeduplicatorTests
{
    [Fact]
    public void Past_the_group_cap_new_keys_pass_through_while_open_groups_keep_folding()
    {
        var dedup = new AlertDeduplicator(TimeSpan.FromMinutes(1), new FakeTimeProvider(T0), maxGroups: 2);
        Assert.Null(dedup.Add(Make(target: "a"), out _));
        Assert.Null(dedup.Add(Make(target: "b"), out _));

        var passed = dedup.Add(Make(target: "c"), out var mergedC);
        Assert.Equal(("c", false), (passed?.Target, mergedC));

        Assert.Null(dedup.Add(Make(target: "a", secondsAfterT0: 5), out var mergedA));
        Assert.True(mergedA);
        Assert.Equal([("a", 2), ("b", 1)], dedup.Release(all: true).Select(x => (x.Target, x.Count)).OrderBy(x => x.Target));
    }

    [Fact]
    public void An_alert_without_event_time_uses_the_clock()
    {
        var time = new FakeTimeProvider(T0);
        var dedup = new AlertDeduplicator(TimeSpan.FromMinutes(1), time);
        dedup.Add(Make() with { Time = null }, out _);
        time.Advance(TimeSpan.FromSeconds(30));
        dedup.Add(Make() with { Time = null }, out var merged);

        Assert.True(merged);
        Assert.Empty(dedup.Release(all: false));
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(2, Assert.Single(dedup.Release(all: false)).Count);
    }
}
