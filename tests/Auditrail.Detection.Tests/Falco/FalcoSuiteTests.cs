using System.Text;
using System.Text.Json;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Falco;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Testing;
using Auditrail.Detection.Tests.Support;

namespace Auditrail.Detection.Tests.Falco;

/// <summary>
/// Falco's own k8s audit test suite, run case by case against the translated rules (copied into
/// tests/data, so this needs no Falco). Seven cases cannot pass with the current upstream rules file,
/// and would not in Falco either: the suite predates it.
/// </summary>
public class FalcoSuiteTests
{
    private static readonly string SuiteFile = FalcoRules.Data("test", "falco_k8s_audit_tests.yaml");

    private static readonly Dictionary<string, FalcoSuiteCase> Cases = FalcoSuiteRunner.Load(SuiteFile, []).ToDictionary(c => c.Name);

    /// <summary>
    /// The suite's cases the current k8s_audit_rules.yaml fails, and why. The trusted-image cases append
    /// nginx to falco_privileged_images, falco_sensitive_mount_images and falco_hostnetwork_images, lists
    /// the rules no longer read (they read k8s_audit_*_images now); the role cases expect the rule names
    /// before the rules were split into role and cluster-role ones.
    /// </summary>
    private static readonly Dictionary<string, string> VersionSkew = new()
    {
        ["create_privileged_trusted_pod"] = "expected no detection, got Create Privileged Pod: 1",
        ["create_sensitive_mount_trusted_pod"] = "expected no detection, got Create Sensitive Mount Pod: 1",
        ["create_hostnetwork_trusted_pod"] = "expected no detection, got Create HostNetwork Pod: 1",
        ["create_clusterrole"] = "expected K8s Role/Clusterrole Created: 1, got 0 (no rule by that name in the loaded rule files); fired K8s ClusterRole Created: 1",
        ["delete_clusterrole"] = "expected K8s Role/Clusterrole Deleted: 1, got 0 (no rule by that name in the loaded rule files); fired K8s ClusterRole Deleted: 1",
        ["create_clusterrolebinding"] = "expected K8s Role/Clusterrolebinding Created: 1, got 0 (no rule by that name in the loaded rule files); fired K8s ClusterRoleBinding Created: 1",
        ["delete_clusterrolebinding"] = "expected K8s Role/Clusterrolebinding Deleted: 1, got 0 (no rule by that name in the loaded rule files); fired K8s ClusterRoleBinding Deleted: 1",
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_case_detects_what_Falco_detects(string name)
    {
        var result = FalcoSuiteRunner.Run(Cases[name], new FalcoSuiteOptions());
        if (VersionSkew.TryGetValue(name, out var why))
        {
            Assert.Equal(FalcoCaseOutcome.Failed, result.Outcome);
            Assert.Equal(why, result.Detail);
        }
        else
        {
            Assert.True(result.Outcome == FalcoCaseOutcome.Passed, $"{name}: {result.Outcome} {result.Detail}");
        }
    }

    [Fact]
    public void The_whole_suite_runs_59_cases_pass_and_7_fail_for_the_rules_version()
    {
        var results = Cases.Values.Select(c => FalcoSuiteRunner.Run(c, new FalcoSuiteOptions())).ToList();
        Assert.Equal(66, results.Count);
        Assert.Equal(59, results.Count(r => r.Outcome == FalcoCaseOutcome.Passed));
        Assert.Equal(VersionSkew.Keys.Order(), results.Where(r => r.Outcome == FalcoCaseOutcome.Failed).Select(r => r.Case.Name).Order());
        Assert.DoesNotContain(results, r => r.Outcome == FalcoCaseOutcome.Skipped);

        // Every case but the JSON pointer one also names Falco's syscall rules, which are out of scope.
        Assert.Equal(65, results.Count(r => r.Notes.Contains("skipped falco_rules.yaml (Falco's syscall rules)")));
    }

    [Fact]
    public void The_malformed_trace_is_rejected_as_Falco_rejects_it()
    {
        var result = FalcoSuiteRunner.Run(Cases["fal_01_003"], new FalcoSuiteOptions());
        Assert.Equal(FalcoCaseOutcome.Passed, result.Outcome);
        Assert.NotNull(Cases["fal_01_003"].StderrContains);
    }

    [Fact]
    public void Cases_read_their_expectations()
    {
        var privileged = Cases["create_privileged_pod"];
        Assert.True(privileged.Detect);
        Assert.Equal(["WARNING"], privileged.DetectLevels);
        Assert.Equal([("Create Privileged Pod", 1)], privileged.DetectCounts);
        Assert.Equal("trace_files/k8s_audit/create_nginx_pod_privileged.json", privileged.TraceFile);
        Assert.Equal(2, privileged.RuleFiles.Count);
        Assert.False(Cases["create_allowed_pod"].Detect);
    }
}

/// <summary>The current upstream rules and the GKE overlay translate whole and behave the same after a round trip through YAML.</summary>
public class FalcoUpstreamRulesTests
{
    private static readonly string Rules = FalcoRules.Data("rules", "k8s_audit_rules.yaml");
    private static readonly string Gke = FalcoRules.Data("rules", "k8s_audit_rules_gke.yaml");

    [Fact]
    public void The_upstream_rules_translate_with_no_item_left_out()
    {
        var translation = FalcoTranslator.TranslateFiles([Rules]);
        Assert.Empty(translation.Diagnostics);
        Assert.Equal(48, translation.RulesRead);
        Assert.Equal(48, translation.Pack.Rules.Count);
        FalcoRules.Compile(translation);
    }

    [Fact]
    public void The_GKE_overlay_appends_its_exception_and_images()
    {
        var translation = FalcoTranslator.TranslateFiles([Rules, Gke]);
        Assert.Empty(translation.Diagnostics);
        var rule = translation.Pack.Rules.Single(r => r.Name == "Disallowed K8s User");
        var exception = rule.Exceptions.Single();
        Assert.Equal(["user.username"], exception.Fields);
        Assert.Equal(["endswith"], exception.Comps!);
        Assert.Contains("gke.gcr.io/netd", translation.Pack.Lists.Single(l => l.Name == "k8s_audit_privileged_images").Items);

        var robot = Events.ReadText("""
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"g1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces","verb":"create",
             "user":{"username":"service-1@container-engine-robot.iam.gserviceaccount.com"},"objectRef":{"resource":"namespaces","name":"x"},"responseStatus":{"code":201}}
            """).Single();
        Assert.DoesNotContain("Disallowed K8s User", Fired(FalcoRules.Compile(translation), [robot]).Keys);
        Assert.Contains("Disallowed K8s User", Fired(FalcoRules.Compile(FalcoTranslator.TranslateFiles([Rules])), [robot]).Keys);
    }

    [Fact]
    public void The_imported_pack_written_as_a_rule_pack_loads_back_and_fires_the_same()
    {
        var translation = FalcoTranslator.TranslateFiles([Rules, Gke]);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RulePackWriter.Write(writer, translation.Pack, "falco");
        }

        var loader = new RulePackLoader();
        loader.LoadText(Encoding.UTF8.GetString(buffer.ToArray()), "falco-pack.yaml");
        Assert.Empty(loader.Diagnostics);
        var reloaded = loader.Build();
        Assert.Equal(translation.Pack.Rules.Select(r => (r.Name, r.Condition, r.Output, r.Severity)), reloaded.Rules.Select(r => (r.Name, r.Condition, r.Output, r.Severity)));

        var diagnostics = new List<RuleDiagnostic>();
        var events = Events.ReadPath(Events.FalcoTraces);
        var direct = Fired(FalcoRules.Compile(translation), events);
        Assert.Equal(direct, Fired(RuleSet.Compile(reloaded, diagnostics), events));
        Assert.Empty(diagnostics);
        Assert.Equal(32, direct.Count);
    }

    [Fact]
    public void A_Falco_file_loads_wherever_rule_files_load_and_a_native_overlay_may_extend_it()
    {
        var loader = new RulePackLoader();
        loader.LoadFile(Rules);
        loader.LoadText("""
            apiVersion: auditrail.io/v1alpha1
            kind: RulePack
            metadata: {name: overlay}
            lists:
              - name: allowed_k8s_users
                items: [some-user]
                append: true
            """, "overlay.yaml");
        Assert.Empty(loader.Diagnostics);
        var pack = loader.Build();
        Assert.Contains("some-user", pack.Lists.Single(l => l.Name == "allowed_k8s_users").Items);
        Assert.Equal(48, pack.Rules.Count);
    }

    private static Dictionary<string, int> Fired(RuleSet set, IEnumerable<Core.Model.AuditEvent> events)
    {
        var engine = new DetectionEngine(set);
        var counts = new Dictionary<string, int>();
        foreach (var auditEvent in events)
        {
            engine.Process(auditEvent, alert => counts[alert.Rule] = counts.GetValueOrDefault(alert.Rule) + 1);
        }

        return counts;
    }
}
