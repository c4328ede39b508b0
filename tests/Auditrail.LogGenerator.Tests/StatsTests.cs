namespace Auditrail.LogGenerator.Tests;

/// <summary>The generator's own counts must agree with what a reader finds in the output.</summary>
public class StatsTests
{
    [Fact]
    public void Event_and_byte_totals_match_the_output()
    {
        var log = Samples.Workday;
        Assert.Equal(log.Events.Count, log.Stats.Events);
        Assert.Equal(log.Bytes.Length, log.Stats.Bytes);
    }

    [Fact]
    public void Counts_by_stage_level_verb_and_code_match_the_output()
    {
        var log = Samples.Workday;
        AssertCounts(log.Stats.ByStage, log.Events.GroupBy(e => e.Str("stage")!));
        AssertCounts(log.Stats.ByLevel, log.Events.GroupBy(e => e.Str("level")!));
        AssertCounts(log.Stats.ByVerb, log.Events.GroupBy(e => e.Str("verb")!));
        AssertCounts(log.Stats.ByCode, log.Events.Where(e => e.Code() is not null).GroupBy(e => e.Code()!.Value));
    }

    [Fact]
    public void Attack_counts_match_the_labelled_events()
    {
        var log = Samples.Workday;
        var attackEvents = log.Events.Where(log.IsAttack).ToList();
        Assert.Equal(log.Stats.AttackEventCount, attackEvents.Count);
        Assert.Equal(log.Stats.ByTraffic[TrafficKind.Attack], attackEvents.Count);
        foreach (var kind in Enum.GetValues<AttackKind>())
        {
            var events = log.AttacksOf(kind).ToList();
            Assert.Equal(log.Stats.AttackEvents[kind], events.Count);
            var scenarios = log.Labels.Values.Where(l => l.Str("attack") == kind.ToString()).Select(l => l.GetProperty("scenario").GetInt32()).Distinct().Count();
            Assert.Equal(log.Stats.AttacksInjected[kind], scenarios);
        }
    }

    [Fact]
    public void Traffic_counts_add_up_and_match_who_sent_the_requests()
    {
        var log = Samples.Workday;
        Assert.Equal(log.Stats.Events, log.Stats.ByTraffic.Values.Sum());
        var normal = log.Events.Where(e => !log.IsAttack(e)).ToList();
        Assert.Equal(log.Stats.ByTraffic[TrafficKind.Node], normal.Count(e => e.Username()?.StartsWith("system:node:", StringComparison.Ordinal) == true));
        Assert.Equal(log.Stats.ByTraffic[TrafficKind.Human], normal.Count(e => e.Username()?.EndsWith("@example.com", StringComparison.Ordinal) == true));
        Assert.Equal(log.Stats.ByTraffic[TrafficKind.Anonymous], normal.Count(e => e.Username() == "system:anonymous"));
    }

    [Fact]
    public void The_summary_names_every_kind_of_traffic()
    {
        var summary = Samples.Workday.Stats.ToString();
        foreach (var kind in Enum.GetNames<TrafficKind>())
        {
            Assert.Contains(kind, summary, StringComparison.Ordinal);
        }
    }

    private static void AssertCounts<TKey>(IReadOnlyDictionary<TKey, long> expected, IEnumerable<IGrouping<TKey, System.Text.Json.JsonElement>> actual)
        where TKey : notnull
    {
        var counted = actual.ToDictionary(g => g.Key, g => (long)g.Count());
        foreach (var (key, count) in expected)
        {
            Assert.Equal(count, counted.GetValueOrDefault(key));
        }

        Assert.Equal(counted.Values.Sum(), expected.Values.Sum());
    }
}
