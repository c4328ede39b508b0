using static Auditrail.Detection.Tests.Support.Scenario;

namespace Auditrail.Detection.Tests.Stateful;

/// <summary>Distinct values per key in a window: enumeration of Secrets.</summary>
public class DistinctDetectorTests
{
    private const string SecretEnumeration = """
        rules:
          - name: secret-enumeration
            condition: objectRef.resource == 'secrets' && verb == 'get'
            distinct: {field: objectRef.name, count: 3, window: 1m, by: [identity.name]}
        """;

    [Fact]
    public void Three_different_names_in_a_minute_alert_with_the_names()
    {
        var alert = Assert.Single(Run(NewEngine(SecretEnumeration), [
            Event(Seconds(0), resource: "secrets", name: "a"),
            Event(Seconds(10), resource: "secrets", name: "b"),
            Event(Seconds(20), resource: "secrets", name: "c"),
        ]));

        Assert.Equal(3, alert.Count);
        Assert.Equal("alice", alert.Identity);
        Assert.Equal("3 distinct objectRef.name within 1m: a, b, c", alert.Detail);
        Assert.Equal(3, alert.AuditIds.Count);
    }

    [Fact]
    public void The_same_name_again_and_again_is_not_enumeration() =>
        Assert.Empty(Run(NewEngine(SecretEnumeration), Enumerable.Range(0, 20).Select(i => Event(Seconds(i), resource: "secrets", name: i % 2 == 0 ? "a" : "b"))));

    [Fact]
    public void Names_spread_beyond_the_window_do_not_add_up() =>
        Assert.Empty(Run(NewEngine(SecretEnumeration), [
            Event(Seconds(0), resource: "secrets", name: "a"),
            Event(Seconds(40), resource: "secrets", name: "b"),
            Event(Seconds(80), resource: "secrets", name: "c"),
        ]));

    [Fact]
    public void Each_identity_counts_its_own_names() =>
        Assert.Empty(Run(NewEngine(SecretEnumeration), [
            Event(Seconds(0), resource: "secrets", name: "a", user: "alice"),
            Event(Seconds(1), resource: "secrets", name: "b", user: "bob"),
            Event(Seconds(2), resource: "secrets", name: "c", user: "carol"),
        ]));

    [Fact]
    public void A_name_seen_again_stays_in_the_window()
    {
        // "a" at 0s and again at 50s, then "b" and "c" at 70s: "a" is still within the minute.
        var alerts = Run(NewEngine(SecretEnumeration), [
            Event(Seconds(0), resource: "secrets", name: "a"),
            Event(Seconds(50), resource: "secrets", name: "a"),
            Event(Seconds(70), resource: "secrets", name: "b"),
            Event(Seconds(71), resource: "secrets", name: "c"),
        ]);

        Assert.Single(alerts);
    }
}
