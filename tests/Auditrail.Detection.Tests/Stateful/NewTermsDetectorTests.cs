using Auditrail.Detection.Stateful;
using static Auditrail.Detection.Tests.Support.Scenario;

namespace Auditrail.Detection.Tests.Stateful;

/// <summary>Learning what is normal per identity and alerting on what is new, with baselines that persist.</summary>
public sealed class NewTermsDetectorTests : IDisposable
{
    private const string NewSourceIp = """
        rules:
          - name: new-source-ip
            condition: "true"
            newTerms: {fields: [sourceIP], by: [identity.name], learnFor: 1d, expireAfter: 30d}
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-baseline-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Values_seen_while_learning_are_normal_and_a_new_one_afterwards_alerts_once()
    {
        var alerts = Run(NewEngine(NewSourceIp), [
            Event(Hours(0), ip: "10.0.0.1"),
            Event(Hours(5), ip: "10.0.0.2"),
            Event(Hours(30), ip: "10.0.0.1"),
            Event(Hours(31), ip: "203.0.113.9", id: "new"),
            Event(Hours(32), ip: "203.0.113.9"),
        ]);

        var alert = Assert.Single(alerts);
        Assert.Equal(["new"], alert.AuditIds);
        Assert.Equal("new sourceIP '203.0.113.9' for alice (known: 2 values)", alert.Detail);
    }

    [Fact]
    public void Each_key_learns_for_its_own_period_from_its_first_event() =>
        Assert.Empty(Run(NewEngine(NewSourceIp), [
            Event(Hours(0), ip: "10.0.0.1", user: "alice"),
            Event(Hours(48), ip: "10.0.0.1", user: "bob"),
            Event(Hours(49), ip: "10.0.0.2", user: "bob"),
        ]));

    [Fact]
    public void Terms_may_combine_several_fields()
    {
        var engine = NewEngine("""
            rules:
              - name: new-access
                condition: "true"
                newTerms: {fields: [verb, objectRef.resource], by: [identity.name], learnFor: 1h}
            """);

        var alerts = Run(engine, [
            Event(Minutes(0), verb: "get", resource: "pods"),
            Event(Minutes(10), verb: "list", resource: "secrets"),
            Event(Hours(2), verb: "get", resource: "pods"),
            Event(Hours(3), verb: "get", resource: "secrets"),
        ]);

        Assert.Equal("new verb,objectRef.resource 'get,secrets' for alice (known: 2 values)", Assert.Single(alerts).Detail);
    }

    [Fact]
    public void Values_unseen_for_the_expiry_period_are_forgotten_and_alert_again()
    {
        var engine = NewEngine(NewSourceIp.Replace("expireAfter: 30d", "expireAfter: 2d", StringComparison.Ordinal));

        var alerts = Run(engine, [
            Event(Hours(0), ip: "10.0.0.1"),
            Event(Hours(25), ip: "10.0.0.2"),
            Event(Hours(100), ip: "10.0.0.2"),
            Event(Hours(101), ip: "10.0.0.1"),
        ]);

        // By hour 100 both addresses are more than two days stale: each is new again.
        Assert.Equal([
            "new sourceIP '10.0.0.2' for alice (known: 1 value)",
            "new sourceIP '10.0.0.2' for alice (known: 0 values)",
            "new sourceIP '10.0.0.1' for alice (known: 1 value)",
        ], alerts.Select(a => a.Detail));
    }

    [Fact]
    public void A_saved_baseline_survives_a_restart()
    {
        var path = Path.Combine(_directory, "baseline.json");
        var first = NewEngine(NewSourceIp);
        Run(first, [Event(Hours(0), ip: "10.0.0.1"), Event(Hours(30), ip: "10.0.0.2")]);
        first.SaveBaseline(path);

        var second = NewEngine(NewSourceIp);
        var report = second.LoadBaseline(path);
        var alerts = Run(second, [Event(Hours(40), ip: "10.0.0.1"), Event(Hours(41), ip: "10.0.0.2"), Event(Hours(42), ip: "10.0.0.3")]);

        Assert.Equal((1, 1), (report.Rules, report.Keys));
        Assert.Equal("10.0.0.3", Assert.Single(alerts).SourceIp);
    }

    [Fact]
    public void Learning_from_old_logs_ends_the_learning_period_at_once()
    {
        var path = Path.Combine(_directory, "baseline.json");
        var learner = NewEngine(NewSourceIp, DetectionOptions.Default with { LearnOnly = true });
        Assert.Empty(Run(learner, [Event(Hours(0), ip: "10.0.0.1"), Event(Hours(1), ip: "10.0.0.2")]));
        learner.SaveBaseline(path, completeLearning: true);

        // Without training, alice would still be learning an hour later; trained, a new address alerts.
        var scanner = NewEngine(NewSourceIp);
        scanner.LoadBaseline(path);
        Assert.Single(Run(scanner, [Event(Hours(2), ip: "10.0.0.2"), Event(Hours(3), ip: "10.0.0.9")]));
    }

    [Fact]
    public void A_baseline_learned_under_other_fields_is_not_reused()
    {
        var path = Path.Combine(_directory, "baseline.json");
        var first = NewEngine(NewSourceIp);
        Run(first, [Event(Hours(0))]);
        first.SaveBaseline(path);

        var changed = NewEngine(NewSourceIp.Replace("fields: [sourceIP]", "fields: [userAgent]", StringComparison.Ordinal));
        var report = changed.LoadBaseline(path);

        Assert.Equal(0, report.Keys);
        Assert.Contains(report.Notes, n => n.Contains("learning starts over", StringComparison.Ordinal));
    }

    [Fact]
    public void Sections_of_rules_not_loaded_are_carried_over()
    {
        var path = Path.Combine(_directory, "baseline.json");
        var first = NewEngine(NewSourceIp);
        Run(first, [Event(Hours(0))]);
        first.SaveBaseline(path);

        var other = NewEngine("rules:\n  - name: other\n    condition: \"true\"\n    newTerms: {fields: [userAgent]}\n");
        other.LoadBaseline(path);
        other.SaveBaseline(path);

        var again = NewEngine(NewSourceIp);
        Assert.Equal(1, again.LoadBaseline(path).Keys);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("{\"kind\":\"Something\",\"rules\":[]}", "not an Auditrail baseline")]
    public void A_broken_baseline_file_is_a_clear_error(string content, string expected)
    {
        var path = Path.Combine(_directory, "broken.json");
        File.WriteAllText(path, content);

        var error = Assert.Throws<InvalidDataException>(() => NewEngine(NewSourceIp).LoadBaseline(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_section_is_reported_and_the_rest_loads()
    {
        var path = Path.Combine(_directory, "partial.json");
        File.WriteAllText(path, """
            {"kind":"Baseline","rules":[
              {"rule":"new-source-ip"},
              {"rule":"new-source-ip","fingerprint":"newTerms;by=identity.name;fields=sourceIP","keys":[
                {"key":"alice","firstSeen":"2024-01-01T00:00:00Z","trained":true,"terms":{}}]}]}
            """);
        var engine = NewEngine(NewSourceIp);

        var report = engine.LoadBaseline(path);

        Assert.Equal(1, report.Keys);
        Assert.Contains(report.Notes, n => n.Contains("$.rules[0]", StringComparison.Ordinal));
        // alice was loaded as trained: both addresses alert at once instead of being learned.
        Assert.Equal(2, Run(engine, [Event(Hours(1), ip: "10.0.0.1"), Event(Hours(2), ip: "10.0.0.5")]).Count);
    }

    [Fact]
    public void A_baseline_holds_salted_hashes_not_the_identities_or_values_learned()
    {
        var path = Path.Combine(_directory, "baseline.json");
        var engine = NewEngine(NewSourceIp);
        Run(engine, [Event(Hours(0), ip: "192.0.2.44", user: "carol")]);
        engine.SaveBaseline(path);

        var text = File.ReadAllText(path);

        Assert.DoesNotContain("192.0.2.44", text, StringComparison.Ordinal);
        Assert.DoesNotContain("carol", text, StringComparison.Ordinal);
        Assert.Contains("\"seed\":", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Terms_per_key_are_bounded()
    {
        var engine = NewEngine(NewSourceIp);

        Run(engine, Enumerable.Range(0, NewTermsDetector.MaxTermsPerKey + 10).Select(i => Event(Seconds(i), ip: $"10.{i / 65536}.{i / 256 % 256}.{i % 256}")));

        Assert.Equal(10, engine.EvictedKeys);
    }
}
