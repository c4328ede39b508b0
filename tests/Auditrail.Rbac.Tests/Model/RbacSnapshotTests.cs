using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Tests.Model;

/// <summary>The snapshot's lookups, order and role resolution.</summary>
public sealed class RbacSnapshotTests
{
    private static readonly RbacSnapshot Snapshot = new(
        [
            new RbacRole { IsClusterRole = true, Name = "zeta" },
            new RbacRole { IsClusterRole = true, Name = "alpha" },
            new RbacRole { Name = "local", Namespace = "b-team" },
            new RbacRole { Name = "local", Namespace = "a-team", Rules = [new PolicyRule { Verbs = ["old"] }] },
            new RbacRole { Name = "local", Namespace = "a-team", Rules = [new PolicyRule { Verbs = ["new"] }] },
        ],
        [
            new RbacBinding { Name = "rb", Namespace = "b-team", RoleRef = new RoleRef("Role", "local") },
            new RbacBinding { Name = "rb", Namespace = "c-team", RoleRef = new RoleRef("Role", "local") },
            new RbacBinding { Name = "to-cluster-role", Namespace = "c-team", RoleRef = new RoleRef("ClusterRole", "alpha") },
            new RbacBinding { IsClusterBinding = true, Name = "crb", RoleRef = new RoleRef("ClusterRole", "zeta") },
            new RbacBinding { IsClusterBinding = true, Name = "crb-to-role", RoleRef = new RoleRef("Role", "local") },
        ],
        [new RbacServiceAccount("d-team", "app", default)]);

    [Fact]
    public void Lists_are_sorted_and_the_later_duplicate_wins()
    {
        Assert.Equal(["alpha", "zeta"], Snapshot.ClusterRoles.Select(r => r.Name));
        Assert.Equal(["Role/a-team/local", "Role/b-team/local"], Snapshot.Roles.Select(r => r.DisplayName));
        Assert.Equal(["new"], Snapshot.GetRole("a-team", "local")!.Rules[0].Verbs);
        Assert.Equal(["RoleBinding/b-team/rb", "RoleBinding/c-team/rb", "RoleBinding/c-team/to-cluster-role"], Snapshot.RoleBindings.Select(b => b.DisplayName));
        Assert.Equal(["a-team", "b-team", "c-team", "d-team"], Snapshot.Namespaces);
        Assert.Equal("system:serviceaccount:d-team:app", Snapshot.GetServiceAccount("d-team", "app")!.UserName);
        Assert.Null(Snapshot.GetServiceAccount("a-team", "app"));
    }

    [Fact]
    public void Role_refs_resolve_in_the_binding_namespace()
    {
        RbacRole? Resolve(string display) => Snapshot.ResolveRoleRef(Snapshot.AllBindings.Single(b => b.DisplayName == display));

        Assert.Equal("Role/b-team/local", Resolve("RoleBinding/b-team/rb")!.DisplayName);
        Assert.Null(Resolve("RoleBinding/c-team/rb"));
        Assert.Equal("ClusterRole/alpha", Resolve("RoleBinding/c-team/to-cluster-role")!.DisplayName);
        Assert.Equal("ClusterRole/zeta", Resolve("ClusterRoleBinding/crb")!.DisplayName);
        Assert.Null(Resolve("ClusterRoleBinding/crb-to-role"));
        Assert.Null(Snapshot.GetRole("Group", "a-team", "local"));
    }
}
