using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Tests.Bootstrap;

/// <summary>What the real bootstrap roles and bindings allow, checked with the authorizer.</summary>
public sealed class BootstrapAuthorizationTests
{
    private static readonly RbacAuthorizer Authorizer = new(BootstrapPolicy.Result.Snapshot);

    private static AuthorizationResult Check(string user, string[] groups, RequestAttributes request) =>
        Authorizer.Authorize(request.As(user, groups).WithImpliedGroups());

    [Fact]
    public void Loads_every_object_without_errors()
    {
        var result = BootstrapPolicy.Result;

        Assert.DoesNotContain(result.Diagnostics, d => d.Severity != Auditrail.Rbac.Loading.RbacDiagnosticSeverity.Info);
        Assert.True(result.Snapshot.ClusterRoles.Count > 50);
        Assert.True(result.Snapshot.ClusterRoleBindings.Count > 40);
        Assert.NotEmpty(result.Snapshot.Roles);
        Assert.NotEmpty(result.Snapshot.RoleBindings);
    }

    [Theory]
    [InlineData("delete", "", "nodes", "", "", "")]
    [InlineData("get", "", "secrets", "", "x", "kube-system")]
    [InlineData("escalate", "rbac.authorization.k8s.io", "clusterroles", "", "admin", "")]
    [InlineData("create", "", "pods", "exec", "p", "default")]
    [InlineData("impersonate", "", "users", "", "someone", "")]
    [InlineData("frobnicate", "example.com", "widgets", "status", "w", "ns")]
    public void System_masters_can_do_everything(string verb, string group, string resource, string subresource, string name, string ns)
    {
        var result = Check("admin-user", ["system:masters"], RequestAttributes.ForResource(verb, group, resource, subresource, name, ns));

        Assert.True(result.Allowed);
        Assert.Contains(result.Grants, g => g.Binding.Name == "cluster-admin" && g.Role.Name == "cluster-admin");
        Assert.True(Check("admin-user", ["system:masters"], RequestAttributes.ForNonResource("post", "/anything")).Allowed);
    }

    [Fact]
    public void Scheduler_binds_pods_but_cannot_read_secrets()
    {
        var binding = Check("system:kube-scheduler", [], RequestAttributes.ForResource("create", "", "pods", "binding", "p", "default"));

        Assert.True(binding.Allowed);
        Assert.Contains(binding.Grants, g => g.Role.Name == "system:kube-scheduler");
        Assert.False(Check("system:kube-scheduler", [], RequestAttributes.ForResource("get", "", "secrets", name: "s", @namespace: "default")).Allowed);
        Assert.False(Check("system:kube-scheduler", [], RequestAttributes.ForResource("create", "", "pods", @namespace: "default")).Allowed);
    }

    [Theory]
    [InlineData("view", "get", "", "pods", "", true)]
    [InlineData("view", "list", "apps", "deployments", "", true)]
    [InlineData("view", "get", "", "secrets", "", false)]
    [InlineData("view", "list", "", "secrets", "", false)]
    [InlineData("view", "create", "", "pods", "exec", false)]
    [InlineData("view", "get", "", "pods", "log", true)]
    [InlineData("edit", "get", "", "secrets", "", true)]
    [InlineData("edit", "create", "apps", "deployments", "", true)]
    [InlineData("edit", "create", "", "pods", "exec", true)]
    [InlineData("edit", "create", "rbac.authorization.k8s.io", "rolebindings", "", false)]
    [InlineData("edit", "impersonate", "", "serviceaccounts", "", true)]
    [InlineData("admin", "create", "rbac.authorization.k8s.io", "rolebindings", "", true)]
    [InlineData("admin", "create", "authorization.k8s.io", "localsubjectaccessreviews", "", true)]
    [InlineData("admin", "get", "", "pods", "", true)]
    [InlineData("admin", "update", "", "resourcequotas", "", false)]
    public void Aggregated_roles_grant_what_their_parts_grant(string clusterRole, string verb, string group, string resource, string subresource, bool expected)
    {
        var role = BootstrapPolicy.Result.Snapshot.GetClusterRole(clusterRole)!;
        var request = RequestAttributes.ForResource(verb, group, resource, subresource, "obj", "team");

        Assert.Equal(expected, role.Rules.Any(r => RbacAuthorizer.RuleAllows(r, request)));
    }

    [Fact]
    public void Admin_edit_and_view_are_built_by_aggregation_as_a_chain()
    {
        var snapshot = BootstrapPolicy.Result.Snapshot;
        var view = snapshot.GetClusterRole("view")!;
        var edit = snapshot.GetClusterRole("edit")!;
        var admin = snapshot.GetClusterRole("admin")!;

        Assert.Equal(["system:aggregate-to-view"], view.AggregatedFrom);
        Assert.Equal(["system:aggregate-to-edit", "view"], edit.AggregatedFrom);
        Assert.Equal(["edit", "system:aggregate-to-admin"], admin.AggregatedFrom);
        // Everything view allows, edit allows; everything edit allows, admin allows.
        Assert.All(view.Rules, r => Assert.Contains(edit.Rules, e => e.SameContentAs(r)));
        Assert.All(edit.Rules, r => Assert.Contains(admin.Rules, a => a.SameContentAs(r)));
        Assert.Equal(admin.Rules.Count, admin.Rules.DistinctBy(r => r.ToString()).Count());
    }

    [Fact]
    public void Role_binding_to_admin_grants_admin_in_that_namespace_only()
    {
        var snapshot = new RbacSnapshot(
            BootstrapPolicy.Result.Snapshot.AllRoles,
            [.. BootstrapPolicy.Result.Snapshot.AllBindings, new RbacBinding
            {
                Name = "team-admins",
                Namespace = "team",
                RoleRef = new RoleRef("ClusterRole", "admin"),
                Subjects = [new RbacSubject(SubjectKind.User, "alice")],
            }]);
        var authorizer = new RbacAuthorizer(snapshot);
        var deleteDeployment = RequestAttributes.ForResource("delete", "apps", "deployments", name: "web", @namespace: "team").As("alice").WithImpliedGroups();

        Assert.True(authorizer.Authorize(deleteDeployment).Allowed);
        Assert.False(authorizer.Authorize(deleteDeployment with { Namespace = "other" }).Allowed);
    }

    [Fact]
    public void Authenticated_users_get_discovery_and_self_reviews_but_not_objects()
    {
        Assert.True(Check("alice", [], RequestAttributes.ForNonResource("get", "/version")).Allowed);
        Assert.True(Check("alice", [], RequestAttributes.ForNonResource("get", "/apis/apps/v1")).Allowed);
        Assert.True(Check("alice", [], RequestAttributes.ForResource("create", "authorization.k8s.io", "selfsubjectaccessreviews")).Allowed);
        Assert.False(Check("alice", [], RequestAttributes.ForResource("list", "", "pods", @namespace: "default")).Allowed);
        Assert.False(Check("alice", [], RequestAttributes.ForNonResource("get", "/metrics")).Allowed);
    }

    [Fact]
    public void Anonymous_requests_reach_only_public_info()
    {
        Assert.True(Check("system:anonymous", [], RequestAttributes.ForNonResource("get", "/healthz")).Allowed);
        Assert.True(Check("system:anonymous", [], RequestAttributes.ForNonResource("get", "/version")).Allowed);
        Assert.False(Check("system:anonymous", [], RequestAttributes.ForNonResource("get", "/apis")).Allowed);
        Assert.False(Check("system:anonymous", [], RequestAttributes.ForResource("create", "authorization.k8s.io", "selfsubjectaccessreviews")).Allowed);
    }

    [Fact]
    public void Node_bootstrapper_role_lets_bootstrap_tokens_request_certificates_once_kubeadm_binds_it()
    {
        // The bootstrap policy defines the role but leaves binding it to the installer; kubeadm binds it
        // to its token group with the ClusterRoleBinding "kubeadm:kubelet-bootstrap".
        var bootstrap = BootstrapPolicy.Result.Snapshot;
        var tokenGroup = "system:bootstrappers:kubeadm:default-node-token";
        var withKubeadm = new RbacAuthorizer(new RbacSnapshot(bootstrap.AllRoles, [.. bootstrap.AllBindings, new RbacBinding
        {
            IsClusterBinding = true,
            Name = "kubeadm:kubelet-bootstrap",
            RoleRef = new RoleRef("ClusterRole", "system:node-bootstrapper"),
            Subjects = [new RbacSubject(SubjectKind.Group, tokenGroup)],
        }]));
        var createCsr = RequestAttributes.ForResource("create", "certificates.k8s.io", "certificatesigningrequests").As("system:bootstrap:abcdef", tokenGroup).WithImpliedGroups();

        Assert.False(Authorizer.Authorize(createCsr).Allowed);
        Assert.Contains(withKubeadm.Authorize(createCsr).Grants, g => g.Role.Name == "system:node-bootstrapper");
        Assert.False(withKubeadm.Authorize(createCsr with { Verb = "update", Subresource = "approval", Name = "csr-1" }).Allowed);
    }

    [Fact]
    public void Certificate_controller_approves_kubelet_client_certificates_only()
    {
        var controller = "system:serviceaccount:kube-system:certificate-controller";
        var approval = Check(controller, [], RequestAttributes.ForResource("update", "certificates.k8s.io", "certificatesigningrequests", "approval", "csr-1"));

        Assert.True(approval.Allowed);
        Assert.Contains(approval.Grants, g => g.Binding.Name == "system:controller:certificate-controller");
        Assert.True(Check(controller, [], RequestAttributes.ForResource("approve", "certificates.k8s.io", "signers", name: "kubernetes.io/kube-apiserver-client-kubelet")).Allowed);
        Assert.False(Check(controller, [], RequestAttributes.ForResource("approve", "certificates.k8s.io", "signers", name: "kubernetes.io/kube-apiserver-client")).Allowed);
    }

    [Fact]
    public void Controllers_have_their_own_permissions()
    {
        var replicaset = "system:serviceaccount:kube-system:replicaset-controller";
        Assert.True(Check(replicaset, [], RequestAttributes.ForResource("create", "", "pods", @namespace: "default")).Allowed);
        Assert.False(Check(replicaset, [], RequestAttributes.ForResource("get", "", "secrets", name: "s", @namespace: "default")).Allowed);

        var bootstrapSigner = "system:serviceaccount:kube-system:bootstrap-signer";
        // The signer updates the cluster-info ConfigMap in kube-public through a RoleBinding there, by name.
        Assert.True(Check(bootstrapSigner, [], RequestAttributes.ForResource("update", "", "configmaps", name: "cluster-info", @namespace: "kube-public")).Allowed);
        Assert.False(Check(bootstrapSigner, [], RequestAttributes.ForResource("update", "", "configmaps", name: "cluster-info", @namespace: "default")).Allowed);
        Assert.False(Check(bootstrapSigner, [], RequestAttributes.ForResource("update", "", "configmaps", name: "other", @namespace: "kube-public")).Allowed);
    }

    [Fact]
    public void Who_can_read_secrets_in_a_namespace_names_masters_and_controllers_not_view()
    {
        var grants = Authorizer.WhoCan(RequestAttributes.ForResource("get", "", "secrets", name: "s", @namespace: "team"));
        var subjects = grants.Select(g => g.SubjectText).Distinct().ToList();

        Assert.Contains("Group system:masters", subjects);
        Assert.Contains("ServiceAccount kube-system/generic-garbage-collector", subjects);
        Assert.Contains("ServiceAccount kube-system/namespace-controller", subjects);
        Assert.DoesNotContain(grants, g => g.Role.Name is "view" or "system:basic-user" or "system:discovery");
        // Every answer really is allowed for that subject.
        Assert.All(grants.Where(g => g.Subject.Kind == SubjectKind.User), g =>
            Assert.True(Check(g.Subject.Name, [], RequestAttributes.ForResource("get", "", "secrets", name: "s", @namespace: "team")).Allowed));
    }

    public static TheoryData<string, string, string, string, string> WhoCanRequests => new()
    {
        { "get", "", "secrets", "s", "kube-system" },
        { "create", "", "pods", "", "default" },
        { "update", "", "configmaps", "cluster-info", "kube-public" },
        { "create", "", "pods", "binding", "default" },
        { "update", "certificates.k8s.io", "certificatesigningrequests", "approval", "" },
        { "list", "", "nodes", "", "" },
        { "escalate", "rbac.authorization.k8s.io", "clusterroles", "", "" },
    };

    [Theory]
    [MemberData(nameof(WhoCanRequests))]
    public void Who_can_and_can_i_agree_for_every_bound_subject(string verb, string group, string resource, string subresource, string ns)
    {
        var request = RequestAttributes.ForResource(verb, group, resource, subresource, "obj", ns);
        var allowedSubjects = Authorizer.WhoCan(request).Select(g => g.SubjectText).ToHashSet();
        var everySubject = BootstrapPolicy.Result.Snapshot.AllBindings.SelectMany(b => b.Subjects.Select(s => (Subject: s, Binding: b)))
            .Where(p => RbacAuthorizer.CanMatchAnyone(p.Subject, p.Binding));

        Assert.NotEmpty(allowedSubjects);
        foreach (var (subject, binding) in everySubject)
        {
            // A request made by exactly this subject and nothing more (no implied groups, which other bindings name).
            var asSubject = subject.Kind switch
            {
                SubjectKind.User => request.As(subject.Name),
                SubjectKind.Group => request.As("someone", subject.Name),
                _ => request.As(RbacSubject.ServiceAccountUserName(subject.EffectiveNamespace(binding.Namespace), subject.Name)),
            };
            var text = subject.Describe(binding.Namespace);
            Assert.True(allowedSubjects.Contains(text) == Authorizer.Authorize(asSubject).Allowed, $"{text}: who-can and can-i disagree on {request}");
        }
    }
}
