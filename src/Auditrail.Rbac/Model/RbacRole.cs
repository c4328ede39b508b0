namespace Auditrail.Rbac.Model;

/// <summary>
/// A Role (namespaced) or ClusterRole. <see cref="Rules"/> are the effective rules: for an aggregated
/// ClusterRole read from files they are filled in by <see cref="Aggregation.ClusterRoleAggregator"/>,
/// as the controller does in a cluster.
/// </summary>
public sealed record RbacRole
{
    public bool IsClusterRole { get; init; }

    public required string Name { get; init; }

    /// <summary>The role's namespace; <c>""</c> for a ClusterRole.</summary>
    public string Namespace { get; init; } = string.Empty;

    public IReadOnlyList<PolicyRule> Rules { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>aggregationRule.clusterRoleSelectors</c>; null when the ClusterRole is not aggregated.</summary>
    public IReadOnlyList<LabelSelector>? AggregationRule { get; init; }

    /// <summary>For an aggregated ClusterRole, the ClusterRoles whose rules it took, by name.</summary>
    public IReadOnlyList<string> AggregatedFrom { get; init; } = [];

    public ManifestLocation Source { get; init; }

    /// <summary><c>ClusterRole</c> or <c>Role</c>, as a roleRef names it.</summary>
    public string Kind => IsClusterRole ? RoleRef.ClusterRoleKind : RoleRef.RoleKind;

    /// <summary>For messages: <c>ClusterRole/view</c> or <c>Role/kube-system/extension-apiserver-authentication-reader</c>.</summary>
    public string DisplayName => IsClusterRole ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";

    public override string ToString() => DisplayName;
}
