using Auditrail.Rbac.Model;
using Auditrail.Rbac.Risks;

namespace Auditrail.Rbac.Tests.Bootstrap;

/// <summary>Risks on the real bootstrap policy: the expected high-risk grants, and nothing absurd.</summary>
public sealed class BootstrapRiskTests
{
    private static readonly IReadOnlyList<RiskFinding> Findings = RiskAnalyzer.Analyze(BootstrapPolicy.Result.Snapshot);

    private static IEnumerable<RiskFinding> Of(string subject) => Findings.Where(f => f.Grant.SubjectText == subject);

    [Fact]
    public void System_masters_is_a_cluster_admin_equivalent_through_cluster_admin()
    {
        var finding = Assert.Single(Of("Group system:masters"));

        Assert.Equal("AR4101", finding.Risk.Id);
        Assert.Equal(RiskSeverity.Critical, finding.Severity);
        Assert.Equal("ClusterRoleBinding/cluster-admin", finding.Grant.Binding.DisplayName);
        Assert.Equal("ClusterRole/cluster-admin", finding.Grant.Role.DisplayName);
        Assert.True(finding.ControlPlane);
    }

    [Theory]
    [InlineData("ServiceAccount kube-system/replicaset-controller", "workloads-write")]
    [InlineData("ServiceAccount kube-system/job-controller", "workloads-write")]
    [InlineData("ServiceAccount kube-system/statefulset-controller", "workloads-write")]
    [InlineData("ServiceAccount kube-system/daemon-set-controller", "workloads-write")]
    [InlineData("User system:kube-controller-manager", "secrets-get")]
    [InlineData("User system:kube-controller-manager", "secrets-list")]
    [InlineData("User system:kube-controller-manager", "serviceaccount-token")]
    [InlineData("ServiceAccount kube-system/token-cleaner", "secrets-list")]
    [InlineData("ServiceAccount kube-system/clusterrole-aggregation-controller", "escalate")]
    [InlineData("ServiceAccount kube-system/certificate-controller", "csr-approval")]
    [InlineData("ServiceAccount kube-system/generic-garbage-collector", "nodes-proxy")]
    public void Controllers_that_create_pods_read_secrets_or_escalate_are_listed(string subject, string risk)
    {
        var findings = Of(subject).Where(f => f.Risk.Name == risk).ToList();

        Assert.NotEmpty(findings);
        Assert.All(findings, f => Assert.True(f.Severity >= RiskSeverity.Medium && f.ControlPlane));
    }

    [Fact]
    public void Read_only_and_discovery_roles_are_never_flagged()
    {
        string[] harmless = ["view", "system:basic-user", "system:discovery", "system:public-info-viewer", "system:aggregate-to-view", "system:kube-dns", "system:heapster"];

        Assert.DoesNotContain(Findings, f => harmless.Contains(f.Grant.Role.Name));
        Assert.DoesNotContain(Findings, f => f.Grant.Subject.Name is "system:authenticated" or "system:unauthenticated");
    }

    [Fact]
    public void Every_finding_is_a_system_identity_of_the_bootstrap_policy()
    {
        // The bootstrap policy binds only the control plane; anything else would be a misclassification.
        Assert.All(Findings, f => Assert.True(f.ControlPlane, f.ToString()));
    }

    [Fact]
    public void Edit_bound_in_a_namespace_is_flagged_but_view_is_not()
    {
        var bootstrap = BootstrapPolicy.Result.Snapshot;
        RbacBinding Bind(string role, string user) => new()
        {
            Name = $"{user}-{role}",
            Namespace = "team",
            RoleRef = new RoleRef("ClusterRole", role),
            Subjects = [new RbacSubject(SubjectKind.User, user)],
        };
        var snapshot = new RbacSnapshot(bootstrap.AllRoles, [Bind("view", "viewer"), Bind("edit", "editor")]);

        var findings = RiskAnalyzer.Analyze(snapshot);

        Assert.DoesNotContain(findings, f => f.Grant.Subject.Name == "viewer");
        var editor = findings.Where(f => f.Grant.Subject.Name == "editor").Select(f => f.Risk.Name).Distinct().Order().ToList();
        // Upstream leaves pods/ephemeralcontainers out of edit on purpose; exec and attach are in.
        Assert.Equal(["impersonate-serviceaccounts", "pods-exec", "pods-portforward", "secrets-get", "secrets-list", "serviceaccount-token", "workloads-write"], editor);
        Assert.All(findings, f => Assert.Equal("namespace team", f.Scope));
        Assert.All(findings, f => Assert.False(f.ControlPlane));
    }

    [Fact]
    public void Counts_by_severity_are_stable()
    {
        var counts = Enum.GetValues<RiskSeverity>().ToDictionary(s => s, s => Findings.Count(f => f.Severity == s));

        // Recorded for the report: 54 findings on the bootstrap policy, all control-plane identities.
        Assert.Equal(7, counts[RiskSeverity.Critical]);
        Assert.Equal(32, counts[RiskSeverity.High]);
        Assert.Equal(15, counts[RiskSeverity.Medium]);
        Assert.Equal(0, counts[RiskSeverity.Low]);
    }
}
