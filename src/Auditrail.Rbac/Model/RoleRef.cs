namespace Auditrail.Rbac.Model;

/// <summary>The role a binding grants: <c>kind</c> is Role or ClusterRole.</summary>
public sealed record RoleRef(string Kind, string Name, string ApiGroup = RoleRef.RbacGroup)
{
    public const string RbacGroup = "rbac.authorization.k8s.io";
    public const string RoleKind = "Role";
    public const string ClusterRoleKind = "ClusterRole";

    public bool IsClusterRole => Kind == ClusterRoleKind;

    public override string ToString() => $"{Kind}/{Name}";
}
