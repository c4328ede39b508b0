using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Tests.Support;

namespace Auditrail.Detection.Tests.Rules;

/// <summary>Rule files: loading, appends and overrides across files, exceptions, indexing, and placed diagnostics.</summary>
public class RulePackTests
{
    private const string Header = "apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nmetadata: {name: test}\n";

    private const string Base = Header + """
        lists:
          - name: sensitive_namespaces
            items: [kube-system, kube-public]
        macros:
          - name: pod_create
            condition: verb == 'create' && objectRef.resource == 'pods'
        rules:
          - name: privileged-pod
            severity: high
            tags: [T1611]
            condition: pod_create && requestObject.spec.containers.exists(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged)
            output: "privileged pod %{objectRef.namespace}/%{objectRef.name} by %{identity.name}"
          - name: pod-in-sensitive-namespace
            severity: medium
            condition: pod_create && objectRef.namespace in sensitive_namespaces
          - name: exec
            stages: [ResponseStarted]
            condition: objectRef.subresource == 'exec'
        """;

    private static readonly Lazy<List<AuditEvent>> Traces = new(() => Events.ReadPath(Events.FalcoTraces));

    private static (RuleSet Set, List<RuleDiagnostic> Diagnostics) Load(params string[] files)
    {
        var loader = new RulePackLoader();
        for (var i = 0; i < files.Length; i++)
        {
            loader.LoadText(files[i], $"rules{i}.yaml");
        }

        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        var set = RuleSet.Compile(loader.Build(), diagnostics);
        return (set, diagnostics);
    }

    private static Dictionary<string, int> Fire(RuleSet set)
    {
        var matcher = new RuleMatcher(set);
        var counts = set.Rules.ToDictionary(r => r.Definition.Name, _ => 0);
        var matches = new List<RuleMatch>();
        foreach (var e in Traces.Value)
        {
            matches.Clear();
            matcher.Match(e, matches);
            foreach (var match in matches)
            {
                counts[match.Rule.Definition.Name]++;
            }
        }

        return counts;
    }

    [Fact]
    public void A_pack_loads_compiles_and_fires_on_real_events()
    {
        var (set, diagnostics) = Load(Base);

        Assert.Empty(diagnostics);
        var fired = Fire(set);
        Assert.Equal(3, fired["privileged-pod"]);
        Assert.Equal(2, fired["pod-in-sensitive-namespace"]);
        Assert.Equal(1, fired["exec"]);
    }

    [Fact]
    public void Output_templates_fill_fields()
    {
        var (set, _) = Load(Base);
        var rule = set.Rules.Single(r => r.Definition.Name == "privileged-pod");
        var activation = new AuditEventActivation(set.Environment);
        var e = Traces.Value.First(e => rule.Condition.Evaluate(activation.Reset(e)).IsTrue);

        // Pods created through a ReplicaSet have no name at admission (generateName): absent reads <NA>.
        Assert.Equal("privileged pod default/<NA> by system:serviceaccount:kube-system:replicaset-controller", rule.Output.Render(e));
    }

    [Fact]
    public void Later_files_append_to_and_override_earlier_items()
    {
        var overlay = Header + """
            lists:
              - name: sensitive_namespaces
                items: [default]
                append: true
            rules:
              - name: privileged-pod
                append: true
                condition: objectRef.namespace != 'default'
              - name: exec
                enabled: false
              - name: pod-in-sensitive-namespace
                override: {severity: replace}
                severity: critical
            """;

        var (set, diagnostics) = Load(Base, overlay);

        Assert.Empty(diagnostics);
        var fired = Fire(set);
        Assert.Equal(0, fired["privileged-pod"]);
        Assert.Equal(10, fired["pod-in-sensitive-namespace"]);
        Assert.DoesNotContain(set.Rules, r => r.Definition.Name == "exec");
        Assert.Equal(Severity.Critical, set.Rules.Single(r => r.Definition.Name == "pod-in-sensitive-namespace").Definition.Severity);
    }

    [Fact]
    public void Exceptions_suppress_matching_events()
    {
        var overlay = Header + """
            rules:
              - name: pod-in-sensitive-namespace
                override: {exceptions: append}
                exceptions:
                  - name: system-creators
                    fields: [objectRef.namespace, identity.name]
                    values:
                      - [kube-system, "system:serviceaccount:kube-system:replicaset-controller"]
            """;

        var (set, diagnostics) = Load(Base, overlay);

        Assert.Empty(diagnostics);
        Assert.Equal(1, Fire(set)["pod-in-sensitive-namespace"]);
    }

    [Fact]
    public void The_index_keeps_rules_away_from_events_they_cannot_match()
    {
        var (set, _) = Load(Base);
        var get = Traces.Value.First(e => e.Verb == "get");
        var exec = Traces.Value.First(e => e.Subresource == "exec");

        Assert.DoesNotContain(set.Candidates(get), r => r.Definition.Name is "privileged-pod" or "pod-in-sensitive-namespace");
        Assert.Equal(["exec"], set.Candidates(exec).Select(r => r.Definition.Name));
        var privileged = set.Rules.Single(r => r.Definition.Name == "privileged-pod").IndexKey;
        Assert.Equal(["create"], privileged.Verbs!);
        Assert.Equal(["pods"], privileged.Resources!);
    }

    [Theory]
    [InlineData("rules: [\n  {name: x, condition: 'a'\n", "AR2001", 6)]
    [InlineData("apiVersion: v1\nkind: ConfigMap\n", "AR2002", 1)]
    [InlineData("rules:\n  - name: no-condition\n    severity: high\n", "AR2003", 5)]
    [InlineData("rules:\n  - name: x\n    severity: urgent\n    condition: verb == 'get'\n", "AR2004", 6)]
    [InlineData("rules:\n  - name: x\n    condition: verb == 'get' &&\n      verbb == 'list'\n", "AR2005", 6)]
    [InlineData("rules:\n  - name: ghost\n    append: true\n    condition: 'true'\n", "AR2006", 5)]
    [InlineData("rules:\n  - name: x\n    condition: verb == 'get'\n    exceptions:\n      - name: e\n        fields: [verb, objectRef.namespace]\n        values: [[get]]\n", "AR2008", 10)]
    [InlineData("rules:\n  - name: x\n    condition: verb == 'get'\n    output: '%{nosuch.field}'\n", "AR2009", 5)]
    [InlineData("rules:\n  - name: x\n    condition: verb == 'get'\n    priority: high\n", "AR2010", 7)]
    public void Problems_are_reported_with_file_line_and_code(string body, string code, int line)
    {
        var text = body.StartsWith("apiVersion", StringComparison.Ordinal) ? body : Header + body;

        var (_, diagnostics) = Load(text);

        var diagnostic = Assert.Single(diagnostics, d => d.Code == code);
        Assert.Equal("rules0.yaml", diagnostic.File);
        Assert.Equal(line, diagnostic.Line);
    }

    [Fact]
    public void A_condition_error_points_at_its_column_in_the_file()
    {
        var (_, diagnostics) = Load(Header + "rules:\n  - name: x\n    condition: verb == 'get' && verbb == 'list'\n");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((6, 33), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("undeclared reference to 'verbb'", diagnostic.Message);
        Assert.Equal("rules0.yaml:6:33 error AR2005 rule 'x': condition does not compile: undeclared reference to 'verbb'", diagnostic.ToString());
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_and_good_rules_still_load()
    {
        var (set, diagnostics) = Load(Header + """
            rules:
              - name: bad-one
                condition: verbb == 'get'
              - name: good
                condition: verb == 'get'
              - name: bad-two
                severity: urgent
                condition: verb == 1
            """);

        Assert.Equal(["AR2004", "AR2005", "AR2005"], diagnostics.Select(d => d.Code).Order());
        Assert.Equal(["good"], set.Rules.Select(r => r.Definition.Name));
    }

    [Fact]
    public void A_macro_cycle_is_reported_where_it_starts()
    {
        var (_, diagnostics) = Load(Header + "macros:\n  - name: a\n    condition: b\n  - name: b\n    condition: a\nrules:\n  - name: x\n    condition: a\n");

        var cycle = diagnostics.First();
        Assert.Equal(6, cycle.Line);
        Assert.Contains("refers to itself through macros (b -> a -> b)", cycle.Message);
        Assert.All(diagnostics, d => Assert.Equal(RuleCodes.ConditionError, d.Code));
    }
}
