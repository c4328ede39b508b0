using System.Text;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Simulation;
using Auditrail.AuditPolicy.Tests.Support;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.AuditPolicy.Tests.Simulation;

public sealed class PolicySimulatorTests
{
    private const string RequestBody = """{"kind":"Deployment","metadata":{"name":"api","managedFields":[{"manager":"kubectl","operation":"Update"}],"labels":{"a":"b"}},"spec":{"replicas":3}}""";
    private const string ResponseBody = """{"kind":"Deployment","metadata":{"managedFields":[{"manager":"kubectl"}],"name":"api"},"spec":{"replicas":3},"status":{}}""";

    /// <summary>One compact line, its fields in the order the apiserver writes them, so its normalized size is its own.</summary>
    private const string Update = """{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"u1","stage":"ResponseComplete","requestURI":"/apis/apps/v1/namespaces/web/deployments/api","verb":"update","user":{"username":"alice","groups":["devs"]},"objectRef":{"resource":"deployments","namespace":"web","name":"api","apiGroup":"apps","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":"""
        + RequestBody + ""","responseObject":""" + ResponseBody + "}";

    private static SimulationReport Simulate(string policyYaml, IEnumerable<AuditEvent> events, bool needs = false)
    {
        using var simulator = new PolicySimulator(Policies.Compile(policyYaml), needs ? DefaultPack.Needs : null);
        foreach (var e in events)
        {
            simulator.OnEvent(e, default);
        }

        return simulator.Report();
    }

    private static string Policy(string rules) => "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n" + rules;

    [Theory]
    [InlineData(AuditLevel.RequestResponse)]
    [InlineData(AuditLevel.Request)]
    [InlineData(AuditLevel.Metadata)]
    public void An_event_kept_at_a_lower_level_is_sized_without_the_bodies_that_level_drops(AuditLevel level)
    {
        var update = Events.Parse(Update);

        var report = Simulate(Policy($"  - level: {level.ToWireName()}\n"), [update]);

        var expected = Update.Length + 1 - ("RequestResponse".Length - level.ToWireName().Length)
            - (level < AuditLevel.RequestResponse ? ",\"responseObject\":".Length + ResponseBody.Length : 0)
            - (level < AuditLevel.Request ? ",\"requestObject\":".Length + RequestBody.Length : 0);
        Assert.Equal(Update.Length + 1, report.Before.Bytes);
        Assert.Equal(expected, report.After.Bytes);
        Assert.Equal(new Volume(1, expected), report.AfterByLevel[level]);
    }

    [Fact]
    public void OmitManagedFields_takes_managedFields_out_of_the_kept_bodies()
    {
        var update = Events.Parse(Update);
        var withFields = Simulate(Policy("  - level: RequestResponse\n"), [update]);

        var without = Simulate("apiVersion: audit.k8s.io/v1\nkind: Policy\nomitManagedFields: true\nrules:\n  - level: RequestResponse\n", [update]);

        var removed = "\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Update\"}],".Length + "\"managedFields\":[{\"manager\":\"kubectl\"}],".Length;
        Assert.Equal(withFields.After.Bytes - removed, without.After.Bytes);
    }

    [Fact]
    public void Dropped_and_omitted_events_count_per_level_and_per_rule()
    {
        var events = new[]
        {
            Events.Request("get", uri: "/healthz", stage: "ResponseComplete"),
            Events.Request("get", resource: "pods", ns: "a", name: "p", stage: "RequestReceived"),
            Events.Request("get", resource: "pods", ns: "a", name: "p"),
        };

        var report = Simulate(Policy("  - level: None\n    nonResourceURLs: [/healthz*]\n  - level: Metadata\n    omitStages: [RequestReceived]\n"), events);

        Assert.Equal(3, report.Before.Events);
        Assert.Equal(1, report.After.Events);
        Assert.Equal(1, report.AfterByLevel[AuditLevel.None].Events);
        Assert.Equal(1, report.StageOmitted);
        Assert.Equal([(0, 1L, 0L), (1, 2L, 1L), (-1, 0L, 0L)], report.ByRule.Select(r => (r.RuleIndex, r.Before.Events, r.After.Events)));
        Assert.Equal(report.Before.Bytes, report.ByRule.Sum(r => r.Before.Bytes));
        Assert.Equal(report.After.Bytes, report.ByRule.Sum(r => r.After.Bytes));
    }

    [Fact]
    public void Blind_spots_tell_dropped_from_too_low_and_stage_omitted()
    {
        var podCreate = Events.Request("create", user: "alice", groups: ["devs"], resource: "pods", ns: "web", name: "p", level: "Request");

        var dropped = Simulate(Policy("  - level: None\n    resources: [{group: \"\", resources: [pods]}]\n  - level: Metadata\n"), [podCreate], needs: true);
        var tooLow = Simulate(Policy("  - level: Metadata\n"), [podCreate], needs: true);
        var omitted = Simulate(Policy("  - level: Request\n    omitStages: [ResponseComplete]\n"), [podCreate], needs: true);
        var kept = Simulate(Policy("  - level: Request\n"), [podCreate], needs: true);

        RuleCoverage Privileged(SimulationReport report) => report.Coverage.Single(c => c.Need.Name == "privileged-container");
        Assert.Equal((1, 1, 0, 0), (Privileged(dropped).Needed, Privileged(dropped).Dropped, Privileged(dropped).TooLow, Privileged(dropped).StageOmitted));
        Assert.Equal(1, Privileged(tooLow).TooLow);
        Assert.Equal(1, Privileged(omitted).StageOmitted);
        Assert.Equal(1, Privileged(kept).Kept);
        Assert.Contains("web/pods/p", Privileged(tooLow).Example);
        Assert.Empty(kept.BlindSpots);
    }

    [Fact]
    public void Omitting_ResponseStarted_blinds_brute_force_detection_because_a_failed_login_has_no_other_stage()
    {
        var failedLogin = Events.Request("list", user: null, resource: "secrets", ns: "default", stage: "ResponseStarted");
        var failed = Events.Parse(Encoding.UTF8.GetString(failedLogin.Json.Span).Replace("\"code\":200", "\"code\":401", StringComparison.Ordinal));
        var exec = Events.Request("create", user: "alice", groups: ["devs"], resource: "pods", ns: "web", name: "p", subresource: "exec", stage: "ResponseStarted");

        var report = Simulate(Policy("  - level: Metadata\n    omitStages: [ResponseStarted]\n"), [failed, exec], needs: true);

        Assert.Equal(1, report.Coverage.Single(c => c.Need.Name == "brute-force-authentication").StageOmitted);
        Assert.DoesNotContain(report.BlindSpots, c => c.Need.Name == "exec-or-attach-into-pod");
    }

    [Fact]
    public void A_new_terms_rule_loses_a_term_only_when_none_of_its_events_is_kept()
    {
        string[] groups = ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"];
        var watch = Events.Request("watch", user: "system:serviceaccount:ci:runner", groups: groups, resource: "pods", ns: "ci");
        var get = Events.Request("get", user: "system:serviceaccount:ci:runner", groups: groups, resource: "pods", ns: "ci", name: "p");

        var oneKept = Simulate(Policy("  - level: None\n    verbs: [watch]\n  - level: Metadata\n"), [watch, get], needs: true);
        var noneKept = Simulate(Policy("  - level: None\n    verbs: [watch, get]\n  - level: Metadata\n"), [watch, get], needs: true);

        var rule = "serviceaccount-token-new-user-agent";
        Assert.Equal((1L, 1L), oneKept.Coverage.Where(c => c.Need.Name == rule).Select(c => (c.Needed, c.Kept)).Single());
        Assert.Equal((1L, 0L), noneKept.Coverage.Where(c => c.Need.Name == rule).Select(c => (c.Needed, c.Kept)).Single());
    }

    [Fact]
    public void The_noisiest_sources_are_ranked_by_what_the_policy_keeps()
    {
        var events = Enumerable.Range(0, 5).Select(_ => Events.Request("get", user: "system:kube-scheduler", resource: "leases", group: "coordination.k8s.io", ns: "kube-system", name: "s"))
            .Append(Events.Request("get", user: "alice", resource: "pods", ns: "a", name: "p")).ToList();

        var report = Simulate(Policy("  - level: Metadata\n"), events);

        var top = report.NoisiestSources[0];
        Assert.Equal(new SourceKey("system:kube-scheduler", "get", "leases.coordination.k8s.io"), top.Key);
        Assert.Equal(5, top.After.Events);
    }

    [Fact]
    public void A_log_that_omitted_RequestReceived_shows_what_a_policy_keeping_it_would_add()
    {
        var report = Simulate(Policy("  - level: Metadata\n"), [Events.Request("get", resource: "pods", ns: "a", name: "p")]);

        Assert.Equal(1, report.MissingRequestReceived.Events);
        Assert.True(report.MissingRequestReceived.Bytes > 100);
    }

    [Theory]
    [InlineData("audit-logs")]
    [InlineData("audit2rbac")]
    public void The_GCE_policy_simulates_over_the_corpus_logs(string folder)
    {
        var policy = CompiledPolicy.Compile(PolicyLoader.LoadFile(Events.Data("audit-policy", "gce-master-audit-policy.yaml")).Policy!);
        using var simulator = new PolicySimulator(policy, DefaultPack.Needs, onDiagnostic: d => Assert.NotEqual(DiagnosticSeverity.Error, d.Severity));

        new AuditLogReader().ReadPaths([Events.Data(folder)], simulator);

        var report = simulator.Report();
        Assert.True(report.Before.Events > 20);
        Assert.True(report.After.Bytes <= report.Before.Bytes || report.Raised > 0);
        Assert.Equal(report.Before.Events, report.ByRule.Sum(r => r.Before.Events));
        Assert.Equal(report.After.Events + report.StageOmitted + report.AfterByLevel[AuditLevel.None].Events, report.Before.Events);
    }
}
