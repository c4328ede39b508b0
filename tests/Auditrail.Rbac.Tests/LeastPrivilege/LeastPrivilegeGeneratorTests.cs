using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.LeastPrivilege;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Tests.LeastPrivilege;

/// <summary>Generation from requests: scope, expansion, widening, existing grants.</summary>
public sealed class LeastPrivilegeGeneratorTests
{
    private static readonly RbacSubject Bob = new(SubjectKind.User, "bob");

    private static LoggedRequest Logged(RequestAttributes request) => new(request.As("bob", "system:authenticated"), RequestOutcome.Allowed, 1, null, null);

    private static RequestAttributes Get(string resource, string name, string ns = "") => RequestAttributes.ForResource("get", "", resource, name: name, @namespace: ns);

    private static GeneratedRbac Generate(LeastPrivilegeOptions? options = null, RbacSnapshot? existing = null, params RequestAttributes[] requests) =>
        LeastPrivilegeGenerator.Generate(Bob, [.. requests.Select(Logged)], existing ?? RbacSnapshot.Empty, options ?? new LeastPrivilegeOptions { Name = "lp" });

    private static bool Allows(GeneratedRbac generated, RequestAttributes request) =>
        new RbacAuthorizer(generated.Over(RbacSnapshot.Empty)).Authorize(request.As("bob", "system:authenticated")).Allowed;

    [Fact]
    public void Namespaced_requests_get_a_role_per_namespace_and_cluster_scoped_and_non_resource_a_cluster_role()
    {
        var generated = Generate(requests:
        [
            Get("pods", "p1", "ns1"),
            Get("configmaps", "c1", "ns2"),
            Get("nodes", "n1"),
            RequestAttributes.ForNonResource("get", "/metrics"),
        ]);

        Assert.Equal(["ClusterRole/lp", "Role/ns1/lp", "Role/ns2/lp"], generated.Roles.Select(r => r.DisplayName));
        Assert.Equal(["ClusterRoleBinding/lp", "RoleBinding/ns1/lp", "RoleBinding/ns2/lp"], generated.Bindings.Select(b => b.DisplayName));
        Assert.Equal(
            ["verbs=[get] apiGroups=[\"\"] resources=[nodes] resourceNames=[n1]", "verbs=[get] nonResourceURLs=[/metrics]"],
            generated.Roles[0].Rules.Select(r => r.ToString()));
        Assert.True(Allows(generated, Get("pods", "p1", "ns1")));
        Assert.False(Allows(generated, Get("pods", "p1", "ns2")));
        Assert.False(Allows(generated, Get("pods", "p2", "ns1")));
        Assert.False(Allows(generated, Get("nodes", "n2")));
        Assert.False(Allows(generated, RequestAttributes.ForNonResource("get", "/metrics/extra")));
        Assert.False(Allows(generated, RequestAttributes.ForNonResource("post", "/metrics")));
    }

    [Fact]
    public void A_list_absorbs_the_single_gets_and_verbs_expand_unless_told_not_to()
    {
        RequestAttributes[] requests = [Get("pods", "a", "ns1"), Get("pods", "b", "ns1"), RequestAttributes.ForResource("list", "", "pods", @namespace: "ns1")];

        var expanded = Generate(requests: requests);
        var exact = Generate(new LeastPrivilegeOptions { Name = "lp", ExpandVerbs = false }, requests: requests);

        Assert.Equal("verbs=[get list watch] apiGroups=[\"\"] resources=[pods]", Assert.Single(Assert.Single(expanded.Roles).Rules).ToString());
        Assert.Equal(
            ["verbs=[list] apiGroups=[\"\"] resources=[pods]", "verbs=[get] apiGroups=[\"\"] resources=[pods] resourceNames=[a b]"],
            Assert.Single(exact.Roles).Rules.Select(r => r.ToString()));
        Assert.False(Allows(exact, RequestAttributes.ForResource("watch", "", "pods", @namespace: "ns1")));
        Assert.False(Allows(exact, Get("pods", "c", "ns1")));
    }

    [Fact]
    public void Widening_names_and_namespaces_drops_them_and_nothing_else()
    {
        RequestAttributes[] requests = [RequestAttributes.ForResource("delete", "apps", "deployments", name: "web", @namespace: "ns1"), RequestAttributes.ForResource("delete", "apps", "deployments", name: "api", @namespace: "ns2")];

        var names = Generate(new LeastPrivilegeOptions { Name = "lp", WidenNames = true }, requests: requests);
        var namespaces = Generate(new LeastPrivilegeOptions { Name = "lp", WidenNamespaces = true }, requests: requests);

        Assert.Equal(["Role/ns1/lp", "Role/ns2/lp"], names.Roles.Select(r => r.DisplayName));
        Assert.True(Allows(names, RequestAttributes.ForResource("delete", "apps", "deployments", name: "other", @namespace: "ns1")));
        Assert.False(Allows(names, RequestAttributes.ForResource("delete", "apps", "deployments", name: "web", @namespace: "ns3")));
        Assert.Equal("verbs=[delete] apiGroups=[apps] resources=[deployments] resourceNames=[api web]", Assert.Single(Assert.Single(namespaces.Roles).Rules).ToString());
        Assert.True(Allows(namespaces, RequestAttributes.ForResource("delete", "apps", "deployments", name: "web", @namespace: "ns3")));
        Assert.False(Allows(namespaces, RequestAttributes.ForResource("delete", "apps", "deployments", name: "other", @namespace: "ns1")));
        Assert.False(Allows(namespaces, RequestAttributes.ForResource("update", "apps", "deployments", name: "web", @namespace: "ns1")));
    }

    [Fact]
    public void Non_resource_verbs_are_http_methods_and_never_expand()
    {
        var generated = Generate(requests: [RequestAttributes.ForNonResource("patch", "/debug/flags/v")]);

        Assert.Equal("verbs=[patch] nonResourceURLs=[/debug/flags/v]", Assert.Single(Assert.Single(generated.Roles).Rules).ToString());
    }

    [Fact]
    public void Requests_the_existing_rbac_allows_get_nothing()
    {
        var generated = Generate(existing: DiscoveryRbac.Snapshot, requests: [RequestAttributes.ForNonResource("get", "/apis/apps/v1"), Get("pods", "p", "ns1")]);

        Assert.Equal("/apis/apps/v1", Assert.Single(generated.AlreadyAllowed).Attributes.Path);
        Assert.Equal(["Role/ns1/lp"], generated.Roles.Select(r => r.DisplayName));
    }

    [Fact]
    public void Service_account_subject_is_bound_with_its_namespace()
    {
        var sa = new RbacSubject(SubjectKind.ServiceAccount, "builder", "ci");
        var generated = LeastPrivilegeGenerator.Generate(sa, [new LoggedRequest(Get("pods", "p", "ci").As("system:serviceaccount:ci:builder"), RequestOutcome.Denied, 1, null, null)],
            RbacSnapshot.Empty, new LeastPrivilegeOptions { Name = "lp" });

        var authorizer = new RbacAuthorizer(generated.Over(RbacSnapshot.Empty));
        Assert.True(authorizer.Authorize(Get("pods", "p", "ci").As("system:serviceaccount:ci:builder")).Allowed);
        Assert.False(authorizer.Authorize(Get("pods", "p", "ci").As("system:serviceaccount:other:builder")).Allowed);
    }
}
