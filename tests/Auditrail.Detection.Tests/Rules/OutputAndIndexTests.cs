using Auditrail.Cel.Runtime;
using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Tests.Support;
using static Auditrail.Detection.Tests.Support.Scenario;

namespace Auditrail.Detection.Tests.Rules;

/// <summary>Output expressions, stage pinning in the index, the JSON functions rules read bodies with, and globs.</summary>
public class OutputAndIndexTests
{
    [Fact]
    public void Output_expressions_render_values_lists_and_absence()
    {
        var set = Scenario.Rules("""
            rules:
              - name: r
                condition: "true"
                output: "%{verb} ns=%{= objectRef.namespace} sub=%{= objectRef.subresource} ips=%{= sourceIPs} none=%{= [].map(x, x)} map=%{= {'a': 1}} n=%{= size(verb)} keep=%{not a field} 100%"
            """);
        var alert = Run(new DetectionEngine(set), [Event(Seconds(0))]).Single();

        Assert.Equal("get ns=default sub=<NA> ips=10.0.0.1 none=<NA> map={\"a\":1} n=3 keep=%{not a field} 100%", alert.Message);
    }

    [Fact]
    public void An_output_expression_that_does_not_compile_is_reported()
    {
        var loader = new RulePackLoader();
        loader.LoadText("apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nmetadata: {name: t}\nrules:\n  - name: r\n    condition: 'true'\n    output: '%{= nosuch + }'\n", "t.yaml");
        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        RuleSet.Compile(loader.Build(), diagnostics);

        Assert.Contains(diagnostics, d => d.Code == RuleCodes.OutputError && d.Message.Contains("does not compile", StringComparison.Ordinal));
    }

    [Fact]
    public void A_condition_pinning_the_stage_narrows_the_stages_a_rule_is_indexed_on()
    {
        var set = Scenario.Rules("""
            lists:
              - name: started
                items: [ResponseStarted]
            rules:
              - name: pinned
                stages: [RequestReceived, ResponseStarted, ResponseComplete, Panic]
                condition: stage in started && verb == 'create'
              - name: literal
                stages: [RequestReceived, ResponseStarted, ResponseComplete, Panic]
                condition: stage == 'ResponseComplete'
              - name: unknown-stage
                condition: stage == 'Nope'
            """);

        Assert.Equal([AuditStage.ResponseStarted], set.Rules[0].IndexKey.Stages);
        Assert.Equal([AuditStage.ResponseComplete], set.Rules[1].IndexKey.Stages);
        Assert.Empty(set.Rules[2].IndexKey.Stages);
    }

    [Theory]
    [InlineData("event.jsonValues('/objectRef/name')", "[\"p\"]")]
    [InlineData("event.jsonValues('/objectRef/nope')", "[]")]
    [InlineData("event.jsonValues('/objectRef/name/deeper')", "[]")]
    [InlineData("event.jsonStrings('/responseStatus/code')", "[\"200\"]")]
    [InlineData("event.jsonStrings('/user/groups/*')", "[\"system:authenticated\"]")]
    [InlineData("event.jsonStrings('/user/groups/0')", "[\"system:authenticated\"]")]
    [InlineData("event.jsonStrings('/user/groups/1')", "[]")]
    [InlineData("event.jsonStrings('/user/groups/*', false)", "[]")]
    [InlineData("event.jsonStrings('/user')", "[\"{\\\"username\\\":\\\"alice\\\",\\\"groups\\\":[\\\"system:authenticated\\\"]}\"]")]
    [InlineData("jsonText({'a': [1, true, null, 'x']})", "\"{\\\"a\\\":[1,true,null,\\\"x\\\"]}\"")]
    [InlineData("jsonText('plain')", "\"plain\"")]
    [InlineData("{'a/b': {'~': 1}}.jsonValues('/a~1b/~0')", "[1]")]
    [InlineData("'text'.jsonValues('/a')", "[]")]
    public void Json_functions_read_any_shape_without_errors(string expression, string expected)
    {
        var environment = AuditCelEnvironment.Create();
        var program = environment.Compile(expression).Program!;
        var value = program.Evaluate(new AuditEventActivation(environment).Reset(Event(Seconds(0))));

        Assert.Equal(expected, Literal(value));
    }

    [Fact]
    public void A_malformed_pointer_is_an_error()
    {
        var environment = AuditCelEnvironment.Create();
        var value = environment.Compile("event.jsonValues('no-slash')").Program!.Evaluate(new AuditEventActivation(environment).Reset(Event(Seconds(0))));

        Assert.True(value.IsError);
    }

    [Theory]
    [InlineData("/var/run/*", "/var/run/docker.sock", true)]
    [InlineData("*.sock", "/var/run/docker.sock", true)] // no FNM_PATHNAME: '*' crosses slashes
    [InlineData("/var/?un", "/var/run", true)]
    [InlineData("[a-c]at", "bat", true)]
    [InlineData("[!a-c]at", "bat", false)]
    [InlineData("[]]x", "]x", true)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "axb", false)]
    [InlineData("a.b", "axb", false)]
    [InlineData("(x)+", "(x)+", true)]
    public void Globs_match_as_fnmatch_does(string pattern, string text, bool matches) =>
        Assert.Equal(matches, GlobPattern.IsMatch(text, pattern));

    private static string Literal(CelValue value) => value.Kind switch
    {
        CelKind.List => "[" + string.Join(", ", value.AsList.Select(Literal)) + "]",
        CelKind.String => $"\"{value.AsString.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"",
        _ => value.ToString(),
    };
}
