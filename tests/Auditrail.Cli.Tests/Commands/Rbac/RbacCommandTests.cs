using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Rbac;

/// <summary><c>rbac can-i|who-can|risks</c> end to end on the Kubernetes bootstrap policy.</summary>
public sealed class RbacCommandTests : IDisposable
{
    private static readonly string Bootstrap = CliRunner.Data("kubernetes-rbac");

    private readonly ScratchDirectory _scratch = new("auditrail-rbac-cli-");

    private string Dir => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    private string Write(string name, string text) => _scratch.Write(name, text);

    [Fact]
    public void Can_i_says_yes_with_the_granting_binding_and_exits_0()
    {
        var result = CliRunner.Run("rbac", "can-i", "--rbac", Bootstrap, "--as", "system:kube-scheduler", "create", "pods/binding", "-n", "default");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("yes", result.OutLines[0]);
        Assert.Contains("ClusterRoleBinding/system:kube-scheduler → ClusterRole/system:kube-scheduler rules[", result.Out);
        Assert.Contains("resources=[bindings pods/binding]", result.Out);
    }

    [Fact]
    public void Can_i_says_no_and_exits_1()
    {
        var result = CliRunner.Run("rbac", "can-i", "--rbac", Bootstrap, "--as", "alice", "get", "secrets", "db", "-n", "default");

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Equal(["no"], result.OutLines);
    }

    [Fact]
    public void Can_i_adds_the_service_account_groups_unless_told_not_to()
    {
        var rbac = Write("sa.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: deployer}
            rules: [{apiGroups: [apps], resources: [deployments], verbs: [patch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: ci-deployers, namespace: prod}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
            subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:serviceaccounts:ci"}]
            """);
        string[] args = ["rbac", "can-i", "--rbac", rbac, "--as", "system:serviceaccount:ci:bot", "patch", "deployments.apps", "web", "-n", "prod", "-o", "json"];

        var implied = CliRunner.Run(args);
        var bare = CliRunner.Run([.. args, "--no-implied-groups"]);

        Assert.Equal(ExitCodes.Success, implied.ExitCode);
        using var json = JsonDocument.Parse(implied.Out);
        Assert.True(json.RootElement.GetProperty("allowed").GetBoolean());
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
            json.RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        var grant = json.RootElement.GetProperty("grants")[0];
        Assert.Equal("RoleBinding", grant.GetProperty("binding").GetProperty("kind").GetString());
        Assert.Equal($"{rbac}:6:1", grant.GetProperty("binding").GetProperty("source").GetString());
        Assert.Equal("apps", json.RootElement.GetProperty("request").GetProperty("apiGroup").GetString());
        Assert.Equal(ExitCodes.BadRecords, bare.ExitCode);
    }

    [Fact]
    public void Can_i_checks_non_resource_urls_and_short_names()
    {
        var healthz = CliRunner.Run("rbac", "can-i", "--rbac", Bootstrap, "--as", "system:anonymous", "get", "/healthz");
        var metrics = CliRunner.Run("rbac", "can-i", "--rbac", Bootstrap, "--as", "system:anonymous", "get", "/metrics");
        var deploy = CliRunner.Run("rbac", "can-i", "--rbac", Bootstrap, "--as", "system:serviceaccount:kube-system:deployment-controller", "update", "deploy", "web", "-n", "x", "-o", "yaml");

        Assert.Equal(ExitCodes.Success, healthz.ExitCode);
        Assert.Contains("ClusterRole/system:public-info-viewer", healthz.Out);
        Assert.Equal(ExitCodes.BadRecords, metrics.ExitCode);
        Assert.Equal(ExitCodes.Success, deploy.ExitCode);
        Assert.Contains("apiGroup: apps", deploy.Out);
    }

    [Fact]
    public void Usage_errors_exit_2()
    {
        var noSource = CliRunner.Run("rbac", "can-i", "--as", "alice", "get", "pods");
        var both = CliRunner.Run("rbac", "who-can", "--rbac", Bootstrap, "--kubeconfig", "x", "get", "pods");
        var badTarget = CliRunner.Run("rbac", "can-i", "--rbac", Bootstrap, "--as", "alice", "get", "pods/log/x");
        var urlWithName = CliRunner.Run("rbac", "can-i", "--rbac", Bootstrap, "--as", "alice", "get", "/healthz", "name");
        var noAs = CliRunner.Run("rbac", "can-i", "--rbac", Bootstrap, "get", "pods");
        var empty = CliRunner.Run("rbac", "risks", "--rbac", Write("empty.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"));
        var noKubeconfig = CliRunner.Run("rbac", "who-can", "--kubeconfig", Path.Combine(Dir, "absent-kubeconfig"), "get", "pods");

        Assert.All([noSource, both, badTarget, urlWithName, noAs, empty, noKubeconfig], r => Assert.Equal(ExitCodes.UsageOrUnusableInput, r.ExitCode));
        Assert.Contains("--rbac FILE|DIR", noSource.Error);
        Assert.Contains("not both", both.Error);
        Assert.Contains("is not RESOURCE[.GROUP][/SUBRESOURCE]", badTarget.Error);
        Assert.Contains("takes no NAME", urlWithName.Error);
        Assert.Contains("no Role, ClusterRole or binding was loaded", empty.Error);
        Assert.Contains("note: 1 object(s) of other kinds skipped", empty.Error, StringComparison.Ordinal);
        Assert.Contains("error AR4015 cannot use the kubeconfig", noKubeconfig.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Who_can_lists_subjects_with_binding_and_role()
    {
        var result = CliRunner.Run("rbac", "who-can", "--rbac", Bootstrap, "get", "secrets", "-n", "kube-system");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("SUBJECT", result.OutLines[0]);
        Assert.Contains(result.OutLines, l => l.StartsWith("Group system:masters", StringComparison.Ordinal) && l.Contains("ClusterRoleBinding/cluster-admin", StringComparison.Ordinal));
        Assert.Contains(result.OutLines, l => l.StartsWith("ServiceAccount kube-system/token-cleaner", StringComparison.Ordinal) && l.Contains("Role/kube-system/system:controller:token-cleaner", StringComparison.Ordinal));
        Assert.Equal("6 subject(s) can get secrets in kube-system", result.OutLines[^1]);
    }

    [Fact]
    public void Who_can_without_a_namespace_counts_cluster_role_bindings_only()
    {
        var result = CliRunner.Run("rbac", "who-can", "--rbac", Bootstrap, "list", "secrets", "-o", "json");

        using var json = JsonDocument.Parse(result.Out);
        var bindings = json.RootElement.GetProperty("subjects").EnumerateArray().Select(s => s.GetProperty("binding").GetProperty("kind").GetString()).Distinct();
        Assert.Equal(["ClusterRoleBinding"], bindings);
    }

    [Fact]
    public void Risks_lists_findings_worst_first_with_why_and_exits_1()
    {
        var result = CliRunner.Run("rbac", "risks", "--rbac", Bootstrap);

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.StartsWith("CRITICAL  AR4101 cluster-admin", result.OutLines[1]);
        Assert.Contains("Group system:masters", result.OutLines[1]);
        Assert.Contains(result.OutLines, l => l.StartsWith("AR4106 secrets-list: List or watch Secrets.", StringComparison.Ordinal));
        Assert.Equal("54 finding(s): 7 critical, 32 high, 15 medium, 0 low", result.OutLines[^1]);
    }

    [Fact]
    public void Risks_marks_system_subjects_expected_without_hiding_them()
    {
        var result = CliRunner.Run("rbac", "risks", "--rbac", Bootstrap, "--exclude-system", "--min-severity", "critical", "-o", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var findings = json.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(7, findings.Count);
        Assert.All(findings, f => Assert.True(f.GetProperty("expected").GetBoolean()));
        Assert.All(findings, f => Assert.Equal("critical", f.GetProperty("severity").GetString()));
        Assert.Equal(7, json.RootElement.GetProperty("summary").GetProperty("expected").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("summary").GetProperty("critical").GetInt32());
    }

    [Fact]
    public void Risks_on_user_manifests_report_broad_groups_and_load_errors_with_lines()
    {
        var rbac = Write("team.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: everything-read}
            rules: [{apiGroups: ["*"], resources: ["*"], verbs: [get, list]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: all-read}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything-read}
            subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:authenticated"}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: broken}
            rules: [{apiGroups: [""], resources: [pods], verbs: get}]
            """);

        var result = CliRunner.Run("rbac", "risks", "--rbac", rbac, "-o", "json");

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Contains($"{rbac}:15:53 error AR4005 rules[0].verbs must be a list", result.Error);
        Assert.DoesNotContain("must contain at least one value", result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var findings = json.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.All(findings, f => Assert.Equal("critical", f.GetProperty("severity").GetString()));
        Assert.Contains(findings, f => f.GetProperty("risk").GetString() == "broad-wildcard");
        Assert.Contains(findings, f => f.GetProperty("risk").GetString() == "secrets-list"
            && f.GetProperty("notes").EnumerateArray().Any(n => n.GetString() == "granted to every authenticated user and service account"));
    }

    [Fact]
    public void Help_shows_examples()
    {
        var result = CliRunner.Run("rbac", "risks", "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("--min-severity", result.Out);
        Assert.Contains("auditrail rbac risks --rbac rbac/ --min-severity high --exclude-system", result.Out);
        Assert.Contains("Exit codes: 0 yes, 1 no (as kubectl auth can-i)", CliRunner.Run("rbac", "can-i", "--help").Out);
    }

    [Fact]
    public void Namespaces_are_dropped_for_cluster_scoped_resources_and_who_can_reaches_every_namespace_with_A()
    {
        var rbac = Write("ns.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: node-and-pod-reader}
            rules: [{apiGroups: [""], resources: [nodes, pods], verbs: [get]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: readers, namespace: team}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-and-pod-reader}
            subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]
            """);

        var nodes = CliRunner.Run("rbac", "can-i", "--rbac", rbac, "--as", "alice", "get", "nodes", "n1", "-n", "team");
        var pods = CliRunner.Run("rbac", "can-i", "--rbac", rbac, "--as", "alice", "get", "pods", "p", "-n", "team");
        var clusterOnly = CliRunner.Run("rbac", "who-can", "--rbac", rbac, "get", "pods");
        var anyNamespace = CliRunner.Run("rbac", "who-can", "--rbac", rbac, "get", "pods", "-A");
        var nodesAnywhere = CliRunner.Run("rbac", "who-can", "--rbac", rbac, "get", "nodes", "-A");
        var both = CliRunner.Run("rbac", "who-can", "--rbac", rbac, "get", "pods", "-A", "-n", "team");

        Assert.Equal(ExitCodes.BadRecords, nodes.ExitCode);
        Assert.Contains("note: nodes is cluster-scoped; the namespace team is ignored", nodes.Error);
        Assert.Equal(ExitCodes.Success, pods.ExitCode);
        Assert.Equal("0 subject(s) can get pods", clusterOnly.OutLines[^1]);
        Assert.Contains(anyNamespace.OutLines, l => l.StartsWith("User alice", StringComparison.Ordinal) && l.Contains("RoleBinding/team/readers", StringComparison.Ordinal));
        Assert.Equal("1 subject(s) can get pods in any namespace", anyNamespace.OutLines[^1]);
        Assert.Equal("0 subject(s) can get nodes in any namespace", nodesAnywhere.OutLines[^1]);
        Assert.Equal(ExitCodes.UsageOrUnusableInput, both.ExitCode);
    }
}
