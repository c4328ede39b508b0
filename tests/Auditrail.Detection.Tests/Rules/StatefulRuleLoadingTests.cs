using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Tests.Rules;

/// <summary>The stateful parts of rules (threshold, distinct, sequence, newTerms, rate): parsing, defaults, overrides and placed errors.</summary>
public class StatefulRuleLoadingTests
{
    private const string Header = "apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nmetadata: {name: test}\n";

    private static (RulePack Pack, List<RuleDiagnostic> Diagnostics) Load(params string[] bodies)
    {
        var loader = new RulePackLoader();
        for (var i = 0; i < bodies.Length; i++)
        {
            loader.LoadText(Header + bodies[i], $"rules{i}.yaml");
        }

        var pack = loader.Build();
        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        RuleSet.Compile(pack, diagnostics);
        return (pack, diagnostics);
    }

    [Fact]
    public void Each_kind_of_state_is_read_with_its_settings_and_defaults()
    {
        var (pack, diagnostics) = Load("""
            rules:
              - name: d
                condition: "true"
                distinct: {field: objectRef.name, count: 3, window: 1m, by: [identity.name]}
              - name: s
                sequence:
                  within: 5m
                  by: [identity.name]
                  steps:
                    - {name: one, condition: verb == 'create'}
                    - {name: two, condition: verb == 'delete'}
              - name: n
                condition: "true"
                newTerms: {fields: [sourceIP, userAgent], by: [identity.name]}
              - name: r
                condition: "true"
                rate: {by: [identity.name], factor: 20}
            """);

        Assert.Empty(diagnostics);
        var rules = pack.Rules.ToDictionary(r => r.Name);
        var distinct = rules["d"].Distinct!;
        Assert.Equal(("objectRef.name", 3, TimeSpan.FromMinutes(1)), (distinct.Field, distinct.Count, distinct.Window));
        Assert.Equal(["identity.name"], distinct.By);
        Assert.Equal(["one", "two"], rules["s"].Sequence!.Steps.Select(s => s.Name));
        Assert.Equal("(verb == 'create') || (verb == 'delete')", rules["s"].Condition);
        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromDays(30)), (rules["n"].NewTerms!.LearnFor, rules["n"].NewTerms!.ExpireAfter));
        Assert.Equal((20.0, 100), (rules["r"].Rate!.Factor, rules["r"].Rate!.MinCount));
        Assert.All(rules.Values, r => Assert.True(r.IsStateful));
    }

    [Fact]
    public void A_later_file_can_retune_a_threshold_without_restating_the_rule()
    {
        var (pack, diagnostics) = Load(
            "rules:\n  - name: b\n    condition: responseStatus.code == 401\n    threshold: {count: 10, window: 5m, by: [sourceIP]}\n",
            "rules:\n  - name: b\n    override: {threshold: replace}\n    threshold: {count: 20, window: 10m, by: [sourceIP, userAgent]}\n");

        Assert.Empty(diagnostics);
        var threshold = Assert.Single(pack.Rules).Threshold!;
        Assert.Equal((20, TimeSpan.FromMinutes(10)), (threshold.Count, threshold.Window));
        Assert.Equal(["sourceIP", "userAgent"], threshold.By);
    }

    [Theory]
    [InlineData("threshold: {count: 3, window: 1m}\n    distinct: {field: verb, count: 2, window: 1m}", "a rule keeps one kind of state", 5)]
    [InlineData("distinct: {field: nosuch, count: 2, window: 1m}", "distinct counts unknown field 'nosuch'", 7)]
    [InlineData("distinct: {field: verb, count: 0, window: 1m}", "distinct count must be a positive integer, found '0'", 7)]
    [InlineData("threshold: {count: 3, window: 5 minutes}", "threshold window must be a duration such as 30s, 5m, 1h or 7d, found '5 minutes'", 7)]
    [InlineData("newTerms: {by: [identity.name]}", "newTerms needs 'fields'", 7)]
    [InlineData("newTerms: {fields: [sourceIP], by: [who]}", "newTerms groups by unknown field 'who'", 7)]
    [InlineData("rate: {factor: 0.5}", "rate factor must be a number above 1, found '0.5'", 7)]
    [InlineData("sequence: {within: 5m, steps: [{name: only, condition: 'true'}]}", "sequence needs 'steps': a list of 2 to 32", 7)]
    [InlineData("threshold: 10", "threshold must be a mapping", 7)]
    public void Bad_state_settings_are_reported_where_they_are(string state, string message, int line)
    {
        var (_, diagnostics) = Load($"rules:\n  - name: x\n    condition: verb == 'get'\n    {state}\n");

        var diagnostic = Assert.Single(diagnostics, d => !d.IsWarning);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(("rules0.yaml", line), (diagnostic.File, diagnostic.Line));
    }

    [Fact]
    public void A_step_condition_error_points_into_the_step()
    {
        var (_, diagnostics) = Load("""
            rules:
              - name: s
                sequence:
                  within: 5m
                  steps:
                    - name: one
                      condition: verb == 'create'
                    - name: two
                      condition: verbb == 'delete'
            """);

        var diagnostic = Assert.Single(diagnostics, d => d.Message.Contains("step 'two'", StringComparison.Ordinal));
        Assert.Equal(12, diagnostic.Line);
    }
}
