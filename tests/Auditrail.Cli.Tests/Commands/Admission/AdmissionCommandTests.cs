using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Admission;

/// <summary><c>admission check|test|replay|scan</c> end to end, with the bundled guardrails.</summary>
public sealed class AdmissionCommandTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("auditrail-admission-");

    private string Dir => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    private string Write(string name, string text) => _scratch.Write(name, text);

    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: payments
          labels: {auditrail.io/sensitive: "true", owner: team-pay}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: root-pod, namespace: payments}
        spec:
          containers:
            - name: app
              image: nginx
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: good, namespace: payments}
        spec:
          template:
            spec:
              securityContext: {runAsNonRoot: true}
              containers:
                - name: app
                  image: app:1.2
                  resources:
                    requests: {cpu: 100m, memory: 128Mi}
                    limits: {cpu: "1", memory: 1Gi}
        """;

    [Fact]
    public void Check_writes_one_JSON_line_per_object_and_exits_1_when_one_is_denied()
    {
        var path = Write("m.yaml", Manifests);

        var result = CliRunner.Run("admission", "check", path, "-o", "json");

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        var lines = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["Namespace", "Pod", "Deployment"], lines.Select(l => l.GetProperty("kind").GetString()));
        var pod = lines[1];
        Assert.Equal((path, 1, 7, "payments", "root-pod", false),
            (pod.GetProperty("source").GetString(), pod.GetProperty("document").GetInt32(), pod.GetProperty("line").GetInt32(),
             pod.GetProperty("namespace").GetString(), pod.GetProperty("name").GetString(), pod.GetProperty("allowed").GetBoolean()));
        var checks = pod.GetProperty("violations").EnumerateArray().Select(v => $"{v.GetProperty("guardrail").GetString()}/{v.GetProperty("check").GetString()}").ToList();
        Assert.Equal(["image-tags/pinned-tag", "no-root/run-as-non-root", "resources/requests-and-limits"], checks);

        var deployment = lines[2];
        Assert.True(deployment.GetProperty("allowed").GetBoolean());
        var patch = Assert.Single(deployment.GetProperty("patch").EnumerateArray());
        Assert.Equal("/metadata/labels", patch.GetProperty("path").GetString());
        Assert.Equal("team-pay", patch.GetProperty("value").GetProperty("compliance.auditrail.io/owner").GetString());
        Assert.Contains("checked 3 objects with 7 guardrails: 2 allowed, 1 denied", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_as_a_table_lists_each_object_with_its_findings()
    {
        var result = CliRunner.Run("admission", "check", Write("m.yaml", Manifests));

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Contains(result.OutLines, l => l.Contains("payments/root-pod", StringComparison.Ordinal) && l.Contains("denied", StringComparison.Ordinal));
        Assert.Contains(result.OutLines, l => l.Contains("[no-root/run-as-non-root]", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_exits_0_when_everything_is_allowed_and_reads_namespaces_from_a_file()
    {
        var ns = Write("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {owner: me}}\n");
        var deployment = Write("d.yaml", Manifests[Manifests.LastIndexOf("---", StringComparison.Ordinal)..].Replace("payments", "team", StringComparison.Ordinal));

        var result = CliRunner.Run("admission", "check", deployment, "--namespaces", ns, "-o", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("\"compliance.auditrail.io/owner\":\"me\"", Assert.Single(result.OutLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_reports_bad_guardrails_and_bad_manifests_with_their_place_and_checks_the_rest()
    {
        var guardrail = Write("g.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: replicas}
            spec:
              match: {kinds: [Deployment]}
              validations:
                - id: cap
                  expression: object.spec.replicas <= 3
                  messageExpression: "'replicas ' + string(object.spec.replicas) + ' > 3'"
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: broken}
            spec:
              validations: [{expression: "object.spec.replicas <="}]
            """);
        var manifests = Write("m.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: big}
            spec: {replicas: 5}
            ---
            kind: Deployment
            """);

        var result = CliRunner.Run("admission", "check", "-g", guardrail, manifests, "-o", "json");

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Contains($"{guardrail}:15:", result.Error, StringComparison.Ordinal);
        Assert.Contains("AR5006", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{manifests}:6:1 error AR5102", result.Error, StringComparison.Ordinal);
        var line = JsonDocument.Parse(Assert.Single(result.OutLines)).RootElement;
        Assert.Equal("replicas 5 > 3", line.GetProperty("violations")[0].GetProperty("message").GetString());
        Assert.Equal("default", line.GetProperty("namespace").GetString());
    }

    [Fact]
    public void Check_without_usable_guardrails_or_objects_is_a_usage_error()
    {
        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("admission", "check", "-g", Path.Combine(Dir, "missing"), Write("m.yaml", Manifests)).ExitCode);
        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("admission", "check", Write("empty.yaml", "# nothing\n")).ExitCode);
    }

    [Fact]
    public void Test_runs_the_bundled_suites_and_all_pass()
    {
        var result = CliRunner.Run("admission", "test", Path.Combine(AppContext.BaseDirectory, "guardrails", "tests"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"^7 suites, (\d+) results: \1 passed, 0 failed$", result.OutLines[^1]);
        Assert.DoesNotContain(result.OutLines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public void Test_exits_1_on_a_mismatch_and_says_what_happened()
    {
        Write("pods.yaml", Manifests);
        var suite = Write("suite.yaml", $"""
            apiVersion: auditrail.io/v1alpha1
            kind: GuardrailTest
            metadata: {"{"}name: wrong{"}"}
            guardrails: [{Path.Combine(AppContext.BaseDirectory, "guardrails", "default")}]
            resources: [pods.yaml]
            results:
              - guardrail: no-root
                resource: payments/root-pod
                result: pass
              - guardrail: compliance-labels
                resource: good
                result: pass
                patchedFields:
                  metadata.labels['compliance.auditrail.io/owner']: someone
            """);

        var result = CliRunner.Run("admission", "test", suite, "-o", "json");

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal((0, 2), (json.GetProperty("passed").GetInt32(), json.GetProperty("failed").GetInt32()));
        Assert.StartsWith("expected pass, got fail", json.GetProperty("results")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("patched metadata.labels['compliance.auditrail.io/owner']: expected \"someone\", got \"team-pay\"",
            json.GetProperty("results")[1].GetProperty("detail").GetString());
    }

    private const string RootPodEvent = """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"abc-1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"r"},"spec":{"securityContext":{"runAsUser":0},"containers":[{"name":"c","image":"x:1"}]}},"requestReceivedTimestamp":"2024-05-01T10:00:00Z","stageTimestamp":"2024-05-01T10:00:00Z"}
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"abc-2","stage":"ResponseComplete","requestURI":"/apis/apps/v1/namespaces/default/deployments/web","verb":"patch","user":{"username":"bob","groups":["system:authenticated"]},"objectRef":{"resource":"deployments","namespace":"default","name":"web","apiGroup":"apps","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"spec":{"replicas":2}},"requestReceivedTimestamp":"2024-05-02T10:00:00Z","stageTimestamp":"2024-05-02T10:00:00Z"}
        """;

    [Fact]
    public void Replay_shows_what_would_have_been_denied_and_what_could_not_be_replayed()
    {
        var log = Write("audit.log", RootPodEvent);

        var table = CliRunner.Run("admission", "replay", log);
        var json = CliRunner.Run("admission", "replay", log, "-o", "json");

        Assert.Equal(ExitCodes.BadRecords, table.ExitCode);
        Assert.Contains(table.OutLines, l => l.Contains("abc-1", StringComparison.Ordinal) && l.Contains("alice", StringComparison.Ordinal));
        Assert.Contains("not replayable: 1 patch without responseObject", table.Out, StringComparison.Ordinal);
        var summary = JsonDocument.Parse(json.Out).RootElement.GetProperty("summary");
        Assert.Equal((2, 2, 1, 1), (summary.GetProperty("eventsRead").GetInt32(), summary.GetProperty("candidates").GetInt32(),
            summary.GetProperty("replayed").GetInt32(), summary.GetProperty("wouldDeny").GetInt32()));
        var denial = JsonDocument.Parse(json.Out).RootElement.GetProperty("wouldDeny")[0];
        Assert.Equal(("abc-1", "alice", "2024-05-01T10:00:00+00:00"), (denial.GetProperty("auditID").GetString(), denial.GetProperty("user").GetString(), denial.GetProperty("time").GetString()));
    }

    [Fact]
    public void Replay_honours_since_and_until_and_rejects_bad_times()
    {
        var log = Write("audit.log", RootPodEvent);

        var later = CliRunner.Run("admission", "replay", log, "--since", "2024-05-01T12:00:00Z", "-o", "json");
        Assert.Equal(ExitCodes.Success, later.ExitCode);
        Assert.Equal(1, JsonDocument.Parse(later.Out).RootElement.GetProperty("summary").GetProperty("eventsRead").GetInt32());

        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("admission", "replay", log, "--until", "yesterday").ExitCode);
    }

    [Fact]
    public void Scan_writes_a_PolicyReport_per_namespace_and_a_ClusterPolicyReport()
    {
        var objects = Write("objects.yaml", Manifests + """

            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: plain, namespace: payments}
            spec: {storageClassName: standard}
            """);

        var namespaceGuardrail = Write("ns-guardrail.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: namespace-data-class}
            spec:
              match: {kinds: [v1/Namespace]}
              validations:
                - id: labelled
                  expression: "'data-classification' in object.metadata.?labels.orValue({})"
            """);

        var bundledOnly = CliRunner.Run("admission", "scan", objects, "-o", "json");
        var result = CliRunner.Run("admission", "scan", objects, "-g", "default", "-g", namespaceGuardrail, "-o", "json");

        // No bundled guardrail applies to a Namespace, so without the extra one there is no cluster report.
        Assert.Equal(["PolicyReport"], JsonDocument.Parse(bundledOnly.Out).RootElement.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("kind").GetString()));
        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        var list = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("List", list.GetProperty("kind").GetString());
        var reports = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["ClusterPolicyReport", "PolicyReport"], reports.Select(r => r.GetProperty("kind").GetString()));
        var clusterResult = Assert.Single(reports[0].GetProperty("results").EnumerateArray());
        Assert.Equal(("namespace-data-class", "fail", "payments"), (clusterResult.GetProperty("policy").GetString(), clusterResult.GetProperty("result").GetString(),
            clusterResult.GetProperty("resources")[0].GetProperty("name").GetString()));
        Assert.False(reports[0].GetProperty("metadata").TryGetProperty("namespace", out _));
        var report = reports[1];
        Assert.Equal("wgpolicyk8s.io/v1alpha2", report.GetProperty("apiVersion").GetString());
        Assert.Equal("payments", report.GetProperty("metadata").GetProperty("namespace").GetString());
        var results = report.GetProperty("results").EnumerateArray().ToList();
        var pvc = Assert.Single(results, r => r.GetProperty("policy").GetString() == "sensitive-pvc-encryption");
        Assert.Equal(("fail", "high", "Encryption", "plain"), (pvc.GetProperty("result").GetString(), pvc.GetProperty("severity").GetString(),
            pvc.GetProperty("category").GetString(), pvc.GetProperty("resources")[0].GetProperty("name").GetString()));
        var summary = report.GetProperty("summary");
        Assert.Equal(results.Count(r => r.GetProperty("result").GetString() == "fail"), summary.GetProperty("fail").GetInt32());
        Assert.Equal(results.Count(r => r.GetProperty("result").GetString() == "pass"), summary.GetProperty("pass").GetInt32());
        Assert.True(summary.GetProperty("pass").GetInt32() > 0);
    }

    [Fact]
    public void Scan_writes_YAML_documents_by_default()
    {
        var result = CliRunner.Run("admission", "scan", Write("objects.yaml", Manifests));

        Assert.StartsWith("---", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("---\n---", result.Out, StringComparison.Ordinal);
        Assert.Contains("kind: PolicyReport", result.Out, StringComparison.Ordinal);
        Assert.Contains("apiVersion: wgpolicyk8s.io/v1alpha2", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_reads_kubectl_list_output_from_stdin()
    {
        const string KubectlList = """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Pod
                metadata: {name: web-1, namespace: shop, uid: 0b6f7a5e-1111-2222-3333-444455556666}
                spec:
                  containers: [{name: web, image: "nginx:latest"}]
            """;

        var result = CliRunner.RunWithStdin(KubectlList, "admission", "scan", "-", "-o", "json");

        var report = Assert.Single(JsonDocument.Parse(result.Out).RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("shop", report.GetProperty("metadata").GetProperty("namespace").GetString());
        var tags = Assert.Single(report.GetProperty("results").EnumerateArray(), r => r.GetProperty("policy").GetString() == "image-tags");
        Assert.Equal("fail", tags.GetProperty("result").GetString());
        Assert.Equal("0b6f7a5e-1111-2222-3333-444455556666", tags.GetProperty("resources")[0].GetProperty("uid").GetString());
    }

    [Fact]
    public void Help_shows_the_examples_of_each_verb()
    {
        foreach (var verb in new[] { "check", "test", "replay", "scan" })
        {
            var result = CliRunner.Run("admission", verb, "--help");

            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.Contains($"auditrail admission {verb}", result.Out, StringComparison.Ordinal);
        }
    }
}
