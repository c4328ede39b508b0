namespace Auditrail.Rbac.Model;

/// <summary>A RoleBinding (namespaced; may reference a Role of its namespace or a ClusterRole) or a ClusterRoleBinding.</summary>
public sealed record RbacBinding
{
    public bool IsClusterBinding { get; init; }

    public required string Name { get; init; }

    /// <summary>The binding's namespace; <c>""</c> for a ClusterRoleBinding.</summary>
    public string Namespace { get; init; } = string.Empty;

    public required RoleRef RoleRef { get; init; }

    public IReadOnlyList<RbacSubject> Subjects { get; init; } = [];

    public ManifestLocation Source { get; init; }

    /// <summary><c>ClusterRoleBinding</c> or <c>RoleBinding</c>.</summary>
    public string Kind => IsClusterBinding ? "ClusterRoleBinding" : "RoleBinding";

    /// <summary>For messages: <c>ClusterRoleBinding/cluster-admin</c> or <c>RoleBinding/kube-system/system:controller:bootstrap-signer</c>.</summary>
    public string DisplayName => IsClusterBinding ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";

    public override string ToString() => DisplayName;
}
