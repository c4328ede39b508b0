using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Tests.Authorization;

/// <summary>How bindings, namespaces and subjects decide which rules count (upstream VisitRulesFor / appliesToUser).</summary>
public sealed class RbacAuthorizerTests
{
    private static readonly PolicyRule ReadPods = new() { Verbs = ["get", "list"], ApiGroups = [""], Resources = ["pods"] };
    private static readonly PolicyRule ReadMetrics = new() { Verbs = ["get"], NonResourceUrls = ["/metrics"] };

    private static RbacRole ClusterRole(string name, params PolicyRule[] rules) => new() { IsClusterRole = true, Name = name, Rules = rules };

    private static RbacRole Role(string ns, string name, params PolicyRule[] rules) => new() { Name = name, Namespace = ns, Rules = rules };

    private static RbacBinding ClusterBinding(string name, RoleRef roleRef, params RbacSubject[] subjects) =>
        new() { IsClusterBinding = true, Name = name, RoleRef = roleRef, Subjects = subjects };

    private static RbacBinding Binding(string ns, string name, RoleRef roleRef, params RbacSubject[] subjects) =>
        new() { Name = name, Namespace = ns, RoleRef = roleRef, Subjects = subjects };

    private static RequestAttributes GetPods(string ns) => RequestAttributes.ForResource("get", "", "pods", name: "p", @namespace: ns);

    [Fact]
    public void Role_binding_applies_only_in_its_namespace()
    {
        var snapshot = new RbacSnapshot(
            [Role("team", "reader", ReadPods)],
            [Binding("team", "read", new RoleRef("Role", "reader"), new RbacSubject(SubjectKind.User, "alice"))]);
        var authorizer = new RbacAuthorizer(snapshot);

        var inTeam = authorizer.Authorize(GetPods("team").As("alice"));
        Assert.True(inTeam.Allowed);
        Assert.Equal("RoleBinding/team/read", Assert.Single(inTeam.Grants).Binding.DisplayName);
        Assert.False(authorizer.Authorize(GetPods("other").As("alice")).Allowed);
        Assert.False(authorizer.Authorize(GetPods("").As("alice")).Allowed);
        Assert.False(authorizer.Authorize(GetPods("team").As("bob")).Allowed);
    }

    [Fact]
    public void Role_binding_to_cluster_role_grants_it_in_the_binding_namespace_only()
    {
        var snapshot = new RbacSnapshot(
            [ClusterRole("pod-reader", ReadPods)],
            [Binding("team", "read", new RoleRef("ClusterRole", "pod-reader"), new RbacSubject(SubjectKind.User, "alice"))]);
        var authorizer = new RbacAuthorizer(snapshot);

        Assert.True(authorizer.Authorize(GetPods("team").As("alice")).Allowed);
        Assert.False(authorizer.Authorize(GetPods("other").As("alice")).Allowed);
        Assert.False(authorizer.Authorize(GetPods("").As("alice")).Allowed);
    }

    [Fact]
    public void Role_binding_reaches_a_role_of_its_own_namespace_only()
    {
        var snapshot = new RbacSnapshot(
            [Role("other", "reader", ReadPods)],
            [Binding("team", "read", new RoleRef("Role", "reader"), new RbacSubject(SubjectKind.User, "alice"))]);

        var result = new RbacAuthorizer(snapshot).Authorize(GetPods("team").As("alice"));

        Assert.False(result.Allowed);
        Assert.Contains("does not exist in namespace team", Assert.Single(result.Problems));
    }

    [Fact]
    public void Cluster_role_binding_applies_everywhere_and_to_non_resource_urls()
    {
        var snapshot = new RbacSnapshot(
            [ClusterRole("reader", ReadPods, ReadMetrics)],
            [ClusterBinding("read", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.Group, "ops"))]);
        var authorizer = new RbacAuthorizer(snapshot);

        Assert.True(authorizer.Authorize(GetPods("any").As("x", "ops")).Allowed);
        Assert.True(authorizer.Authorize(GetPods("").As("x", "ops")).Allowed);
        var metrics = authorizer.Authorize(RequestAttributes.ForNonResource("get", "/metrics").As("x", "ops"));
        Assert.True(metrics.Allowed);
        Assert.Equal(1, Assert.Single(metrics.Grants).RuleIndex);
    }

    [Fact]
    public void Non_resource_urls_through_a_role_binding_grant_nothing()
    {
        // A RoleBinding counts only for namespaced requests; a non-resource request has no namespace.
        var snapshot = new RbacSnapshot(
            [ClusterRole("metrics", ReadMetrics)],
            [Binding("team", "m", new RoleRef("ClusterRole", "metrics"), new RbacSubject(SubjectKind.User, "alice"))]);

        Assert.False(new RbacAuthorizer(snapshot).Authorize(RequestAttributes.ForNonResource("get", "/metrics").As("alice")).Allowed);
    }

    [Fact]
    public void Cluster_role_binding_to_a_role_grants_nothing()
    {
        var snapshot = new RbacSnapshot(
            [Role("", "reader", ReadPods), Role("team", "reader", ReadPods)],
            [ClusterBinding("bad", new RoleRef("Role", "reader"), new RbacSubject(SubjectKind.User, "alice"))]);

        var result = new RbacAuthorizer(snapshot).Authorize(GetPods("team").As("alice"));

        Assert.False(result.Allowed);
        Assert.Contains("can only reference a ClusterRole", Assert.Single(result.Problems));
    }

    [Fact]
    public void Groups_are_matched_as_the_request_carries_them()
    {
        var snapshot = new RbacSnapshot(
            [ClusterRole("reader", ReadPods)],
            [ClusterBinding("all", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.Group, "system:authenticated"))]);
        var authorizer = new RbacAuthorizer(snapshot);

        Assert.False(authorizer.Authorize(GetPods("a").As("alice")).Allowed);
        Assert.True(authorizer.Authorize(GetPods("a").As("alice").WithImpliedGroups()).Allowed);
        Assert.False(authorizer.Authorize(GetPods("a").As("system:anonymous").WithImpliedGroups()).Allowed);
    }

    [Fact]
    public void Implied_groups_follow_the_authenticators()
    {
        Assert.Equal(
            ["x", "system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
            RequestAttributes.ImpliedGroups("system:serviceaccount:kube-system:foo", ["x"]));
        Assert.Equal(["system:authenticated"], RequestAttributes.ImpliedGroups("alice", []));
        Assert.Equal(["system:unauthenticated"], RequestAttributes.ImpliedGroups("system:anonymous", []));
        Assert.Equal(["system:authenticated"], RequestAttributes.ImpliedGroups("alice", ["system:authenticated"]));
        Assert.Equal(["system:unauthenticated"], RequestAttributes.ImpliedGroups("alice", ["system:unauthenticated"]));
    }

    [Fact]
    public void Service_account_subject_matches_its_username()
    {
        var snapshot = new RbacSnapshot(
            [ClusterRole("reader", ReadPods)],
            [ClusterBinding("sa", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.ServiceAccount, "builder", "ci"))]);
        var authorizer = new RbacAuthorizer(snapshot);

        Assert.True(authorizer.Authorize(GetPods("x").As("system:serviceaccount:ci:builder")).Allowed);
        Assert.False(authorizer.Authorize(GetPods("x").As("system:serviceaccount:ci:builder2")).Allowed);
        Assert.False(authorizer.Authorize(GetPods("x").As("system:serviceaccount:cix:builder")).Allowed);
        Assert.False(authorizer.Authorize(GetPods("x").As("builder")).Allowed);
    }

    [Fact]
    public void Service_account_without_namespace_defaults_to_the_role_binding_namespace()
    {
        var snapshot = new RbacSnapshot(
            [ClusterRole("reader", ReadPods)],
            [
                Binding("ci", "local", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.ServiceAccount, "builder")),
                ClusterBinding("global", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.ServiceAccount, "deployer")),
            ]);
        var authorizer = new RbacAuthorizer(snapshot);

        Assert.True(authorizer.Authorize(GetPods("ci").As("system:serviceaccount:ci:builder")).Allowed);
        // In a ClusterRoleBinding there is no namespace to default to: the subject matches nobody.
        Assert.False(authorizer.Authorize(GetPods("ci").As("system:serviceaccount:ci:deployer")).Allowed);
        Assert.False(authorizer.Authorize(GetPods("ci").As("system:serviceaccount::deployer")).Allowed);
        var whoCan = authorizer.WhoCan(GetPods("ci"));
        Assert.Equal("ServiceAccount ci/builder", Assert.Single(whoCan).SubjectText);
    }

    [Fact]
    public void Every_granting_rule_is_reported()
    {
        var snapshot = new RbacSnapshot(
            [ClusterRole("a", ReadPods), Role("team", "b", new PolicyRule { Verbs = ["*"], ApiGroups = ["*"], Resources = ["*"] })],
            [
                ClusterBinding("ca", new RoleRef("ClusterRole", "a"), new RbacSubject(SubjectKind.User, "alice")),
                Binding("team", "rb", new RoleRef("Role", "b"), new RbacSubject(SubjectKind.Group, "devs"), new RbacSubject(SubjectKind.User, "alice")),
            ]);

        var result = new RbacAuthorizer(snapshot).Authorize(GetPods("team").As("alice", "devs"));

        Assert.Equal(["ClusterRoleBinding/ca", "RoleBinding/team/rb"], result.Grants.Select(g => g.Binding.DisplayName));
        // Like upstream appliesTo, the first subject that matches is the one named.
        Assert.Equal(SubjectKind.Group, result.Grants[1].Subject.Kind);
    }

    [Fact]
    public void Who_can_lists_every_subject_of_every_granting_binding()
    {
        var snapshot = new RbacSnapshot(
            [ClusterRole("reader", ReadPods), ClusterRole("other", ReadMetrics)],
            [
                ClusterBinding("r", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.User, "alice"), new RbacSubject(SubjectKind.Group, "ops")),
                Binding("team", "t", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.User, "bob")),
                Binding("elsewhere", "e", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.User, "carol")),
                ClusterBinding("o", new RoleRef("ClusterRole", "other"), new RbacSubject(SubjectKind.User, "dave")),
            ]);

        var subjects = new RbacAuthorizer(snapshot).WhoCan(GetPods("team")).Select(g => g.SubjectText);

        Assert.Equal(["User alice", "Group ops", "User bob"], subjects);
    }

    [Fact]
    public void Who_can_in_any_namespace_takes_each_role_binding_in_its_own_namespace()
    {
        var snapshot = new RbacSnapshot(
            [ClusterRole("reader", ReadPods, ReadMetrics), Role("team", "local", ReadPods)],
            [
                ClusterBinding("r", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.User, "alice")),
                Binding("team", "t", new RoleRef("Role", "local"), new RbacSubject(SubjectKind.ServiceAccount, "app")),
                Binding("other", "o", new RoleRef("ClusterRole", "reader"), new RbacSubject(SubjectKind.User, "bob")),
                Binding("other", "missing", new RoleRef("Role", "local"), new RbacSubject(SubjectKind.User, "carol")),
            ]);
        var authorizer = new RbacAuthorizer(snapshot);

        var pods = authorizer.WhoCanInAnyNamespace(GetPods("ignored")).Select(g => g.SubjectText);
        var metrics = authorizer.WhoCanInAnyNamespace(RequestAttributes.ForNonResource("get", "/metrics")).Select(g => g.SubjectText);

        Assert.Equal(["ServiceAccount team/app", "User alice", "User bob"], pods.Order(StringComparer.Ordinal));
        Assert.Equal(["User alice"], metrics);
    }
}
