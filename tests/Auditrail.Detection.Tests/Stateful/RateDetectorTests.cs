using static Auditrail.Detection.Tests.Support.Scenario;

namespace Auditrail.Detection.Tests.Stateful;

/// <summary>Usual request rates per hour of day, and alerts when an hour exceeds them many times over.</summary>
public class RateDetectorTests
{
    private const string Spike = """
        rules:
          - name: request-spike
            condition: "true"
            rate: {by: [identity.name], factor: 5, minCount: 20, learnFor: 2d}
        """;

    /// <summary><paramref name="perHour"/> events in each of <paramref name="hours"/> hours from <paramref name="fromHour"/>.</summary>
    private static IEnumerable<Core.Model.AuditEvent> Steady(int fromHour, int hours, int perHour, string user = "alice") =>
        Enumerable.Range(fromHour, hours).SelectMany(h => Enumerable.Range(0, perHour).Select(i => Event(Hours(h) + Seconds(i * 3600.0 / perHour), user: user)));

    [Fact]
    public void An_hour_many_times_busier_than_usual_alerts_once()
    {
        var engine = NewEngine(Spike);
        Assert.Empty(Run(engine, Steady(0, 72, 4)));

        var alerts = Run(engine, Steady(72, 1, 100));

        var alert = Assert.Single(alerts);
        Assert.Equal(21, alert.Count);
        Assert.Equal(TimeSpan.FromHours(1), alert.Window);
        Assert.Contains("usually 4", alert.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Usual_busy_hours_are_learned_per_hour_of_day()
    {
        // Busy every day at 10:00 (60 events), quiet otherwise: 10:00 on day four is normal, 03:00 that busy is not.
        var engine = NewEngine(Spike);
        var history = Enumerable.Range(0, 72).SelectMany(h => Enumerable.Range(0, h % 24 == 10 ? 60 : 2).Select(i => Event(Hours(h) + Seconds(i * 50), user: "ci")));
        Assert.Empty(Run(engine, history));

        Assert.Empty(Run(engine, Steady(72 + 10, 1, 60, user: "ci")));
        Assert.Single(Run(engine, Steady(72 + 24 + 3, 1, 60, user: "ci")));
    }

    [Fact]
    public void Nothing_alerts_while_a_key_is_learning() =>
        Assert.Empty(Run(NewEngine(Spike), Steady(0, 1, 2).Concat(Steady(5, 1, 200))));

    [Fact]
    public void Small_counts_never_alert_however_quiet_the_key_was()
    {
        var engine = NewEngine(Spike);
        Run(engine, Steady(0, 72, 1));

        Assert.Empty(Run(engine, Steady(72, 1, 19)));
    }
}
