using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;
using Auditrail.Rbac.Tests.Bootstrap;
using Auditrail.Rbac.Usage;

namespace Auditrail.Rbac.Tests.Usage;

/// <summary>Unused grants: cells of rules marked by the requests the authorizer says they allowed.</summary>
public sealed class UsageAnalyzerTests
{
    private static readonly RbacSubject Alice = new(SubjectKind.User, "alice");
    private static readonly RbacSubject Devs = new(SubjectKind.Group, "devs");

    private static readonly PolicyRule PodsRule = new() { Verbs = ["get", "list", "delete"], ApiGroups = [""], Resources = ["pods", "pods/log"] };
    private static readonly PolicyRule SecretRule = new() { Verbs = ["get"], ApiGroups = [""], Resources = ["secrets"], ResourceNames = ["a", "b"] };
    private static readonly PolicyRule MetricsRule = new() { Verbs = ["get"], NonResourceUrls = ["/metrics", "/logs/*"] };

    private static RbacSnapshot Snapshot() => new(
        [
            new RbacRole { Name = "dev", Namespace = "team", Rules = [PodsRule, SecretRule] },
            new RbacRole { IsClusterRole = true, Name = "metrics", Rules = [MetricsRule] },
        ],
        [
            new RbacBinding { Name = "dev", Namespace = "team", RoleRef = new RoleRef("Role", "dev"), Subjects = [Alice, Devs, new RbacSubject(SubjectKind.ServiceAccount, "ci")] },
            new RbacBinding { IsClusterBinding = true, Name = "metrics", RoleRef = new RoleRef("ClusterRole", "metrics"), Subjects = [Alice] },
            new RbacBinding { IsClusterBinding = true, Name = "stale", RoleRef = new RoleRef("ClusterRole", "metrics"), Subjects = [new RbacSubject(SubjectKind.User, "gone")] },
        ]);

    private static LoggedRequest Made(RequestAttributes request, string user, RequestOutcome outcome = RequestOutcome.Allowed, params string[] groups) =>
        new(request.As(user, [.. groups, "system:authenticated"]), outcome, 2, DateTimeOffset.Parse("2024-05-01T00:00:00Z"), DateTimeOffset.Parse("2024-05-02T00:00:00Z"));

    private static BindingUsage Row(UsageReport report, SubjectKind kind, string name, string binding) =>
        report.Subjects.Single(s => s.Subject.Kind == kind && s.Subject.Name == name).Bindings.Single(b => b.Binding.DisplayName == binding);

    [Fact]
    public void A_rule_counts_the_verbs_resources_and_names_used_and_the_share_of_its_cells()
    {
        var report = UsageAnalyzer.Analyze(Snapshot(),
        [
            Made(RequestAttributes.ForResource("get", "", "pods", name: "p", @namespace: "team"), "alice"),
            Made(RequestAttributes.ForResource("list", "", "pods", @namespace: "team"), "alice"),
            Made(RequestAttributes.ForResource("get", "", "secrets", name: "a", @namespace: "team"), "alice"),
            Made(RequestAttributes.ForNonResource("get", "/logs/kube-apiserver.log"), "alice"),
        ]);

        var dev = Row(report, SubjectKind.User, "alice", "RoleBinding/team/dev");
        var pods = dev.Rules[0];
        Assert.Equal((2, 6), (pods.UsedCells, pods.TotalCells));
        Assert.Equal(["delete"], pods.UnusedVerbs);
        Assert.Equal(["pods/log"], pods.UnusedResources);
        Assert.Equal(4, pods.Requests);
        Assert.Equal(["b"], dev.Rules[1].UnusedResourceNames);
        var metrics = Assert.Single(Row(report, SubjectKind.User, "alice", "ClusterRoleBinding/metrics").Rules);
        Assert.Equal(["/metrics"], metrics.UnusedNonResourceUrls);
        Assert.Equal(0.5, metrics.FractionUsed);
        Assert.Equal(8, report.Subjects.Single(s => s.Subject.Name == "alice").Requests);
    }

    [Fact]
    public void Groups_are_used_by_their_members_and_service_accounts_take_the_binding_namespace()
    {
        var report = UsageAnalyzer.Analyze(Snapshot(),
        [
            Made(RequestAttributes.ForResource("delete", "", "pods", name: "p", @namespace: "team"), "carol", RequestOutcome.Allowed, "devs"),
            Made(RequestAttributes.ForResource("get", "", "pods", subresource: "log", name: "p", @namespace: "team"), "system:serviceaccount:team:ci"),
        ]);

        Assert.Equal(["delete"], Row(report, SubjectKind.Group, "devs", "RoleBinding/team/dev").Rules[0].ObservedVerbs);
        var ci = report.Subjects.Single(s => s.Subject.Kind == SubjectKind.ServiceAccount);
        Assert.Equal(("team", 2L), (ci.Subject.Namespace, ci.Requests));
        Assert.Equal(["core/pods/log"], Assert.Single(ci.Bindings).Rules[0].ObservedResources);
    }

    [Fact]
    public void Denied_requests_use_nothing_and_idle_subjects_are_listed_with_zero_requests()
    {
        var report = UsageAnalyzer.Analyze(Snapshot(), [Made(RequestAttributes.ForResource("get", "", "pods", name: "p", @namespace: "team"), "alice", RequestOutcome.Denied)]);

        Assert.Equal(0, report.RequestsConsidered);
        Assert.All(report.Subjects, s => Assert.Equal(0, s.Requests));
        Assert.Contains(report.Subjects, s => s.Subject.Name == "gone");
        Assert.All(report.Subjects.SelectMany(s => s.Bindings), b => Assert.False(b.IsUsed));
    }

    [Fact]
    public void Findings_name_unused_bindings_subjects_and_rules()
    {
        var report = UsageAnalyzer.Analyze(Snapshot(), [Made(RequestAttributes.ForResource("get", "", "pods", name: "p", @namespace: "team"), "alice")]);

        var findings = report.Findings.Select(f => (f.Kind, f.Object, f.Subject)).ToList();
        Assert.Contains((UsageFindingKind.UnusedBinding, "ClusterRoleBinding/stale", "User gone"), findings);
        Assert.Contains((UsageFindingKind.UnusedBinding, "ClusterRoleBinding/metrics", "User alice"), findings);
        Assert.Contains((UsageFindingKind.UnusedSubject, "RoleBinding/team/dev", "Group devs"), findings);
        Assert.Contains((UsageFindingKind.UnusedSubject, "RoleBinding/team/dev", "ServiceAccount team/ci"), findings);
        Assert.Contains((UsageFindingKind.UnusedRule, "Role/team/dev rules[1]", ""), findings);
        Assert.DoesNotContain(findings, f => f.Object == "Role/team/dev rules[0]");
        Assert.Equal(5, findings.Count);
    }

    [Fact]
    public void A_request_allowed_by_two_grants_is_used_by_both_but_is_the_only_grant_for_neither()
    {
        var report = UsageAnalyzer.Analyze(Snapshot(), [Made(RequestAttributes.ForResource("list", "", "pods", @namespace: "team"), "alice", RequestOutcome.Allowed, "devs")]);

        // The binding lists alice first: the authorizer credits the first subject that applies, as upstream does.
        var rule = Row(report, SubjectKind.User, "alice", "RoleBinding/team/dev").Rules[0];
        Assert.Equal((2L, 2L), (rule.Requests, rule.OnlyGrantRequests));
        Assert.False(Row(report, SubjectKind.Group, "devs", "RoleBinding/team/dev").IsUsed);
    }

    [Fact]
    public void Subject_filter_keeps_only_the_subjects_asked_for()
    {
        var report = UsageAnalyzer.Analyze(Snapshot(), [], subjectFilter: s => s == Devs);

        Assert.Equal(Devs, Assert.Single(report.Subjects).Subject);
    }

    [Fact]
    public void On_the_bootstrap_policy_the_scheduler_uses_its_own_role_and_wildcards_record_what_they_stood_for()
    {
        var snapshot = BootstrapPolicy.Result.Snapshot;
        var report = UsageAnalyzer.Analyze(snapshot,
        [
            Made(RequestAttributes.ForResource("create", "", "pods", subresource: "binding", name: "web-1", @namespace: "default"), "system:kube-scheduler"),
            Made(RequestAttributes.ForResource("delete", "", "secrets", name: "s", @namespace: "default"), "kubernetes-admin", RequestOutcome.Allowed, "system:masters"),
        ]);

        var scheduler = Row(report, SubjectKind.User, "system:kube-scheduler", "ClusterRoleBinding/system:kube-scheduler");
        var binding = Assert.Single(scheduler.Rules, r => r.IsUsed);
        Assert.Contains("pods/binding", binding.Rule.Resources);
        Assert.Equal(["bindings"], binding.UnusedResources);
        var admin = Row(report, SubjectKind.Group, "system:masters", "ClusterRoleBinding/cluster-admin");
        Assert.Equal(["delete"], admin.Rules[0].ObservedVerbs);
        Assert.Equal(["core/secrets"], admin.Rules[0].ObservedResources);
        Assert.False(admin.Rules[1].IsUsed);
        Assert.Contains(report.Findings, f => f.Kind == UsageFindingKind.UnusedBinding && f.Object == "ClusterRoleBinding/system:node-proxier");
        Assert.DoesNotContain(report.Findings, f => f.Object == "ClusterRoleBinding/system:kube-scheduler");
    }
}
