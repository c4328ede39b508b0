namespace Auditrail.Rbac.Model;

/// <summary>
/// Every Role, ClusterRole, binding and ServiceAccount of one cluster (or one set of manifests), with
/// the lookups the authorizer needs. When two objects share kind, namespace and name the later one
/// wins, as applying the files in order would leave it; the loader reports such duplicates.
/// </summary>
public sealed class RbacSnapshot
{
    private static readonly IReadOnlyList<RbacBinding> NoBindings = [];

    private readonly Dictionary<string, RbacRole> _clusterRoles = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), RbacRole> _roles = [];
    private readonly Dictionary<string, List<RbacBinding>> _roleBindingsByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), RbacServiceAccount> _serviceAccounts = [];

    public RbacSnapshot(IEnumerable<RbacRole> roles, IEnumerable<RbacBinding> bindings, IEnumerable<RbacServiceAccount>? serviceAccounts = null)
    {
        foreach (var role in roles)
        {
            if (role.IsClusterRole)
            {
                _clusterRoles[role.Name] = role;
            }
            else
            {
                _roles[(role.Namespace, role.Name)] = role;
            }
        }

        var clusterBindings = new Dictionary<string, RbacBinding>(StringComparer.Ordinal);
        var roleBindings = new Dictionary<(string Namespace, string Name), RbacBinding>();
        foreach (var binding in bindings)
        {
            if (binding.IsClusterBinding)
            {
                clusterBindings[binding.Name] = binding;
            }
            else
            {
                roleBindings[(binding.Namespace, binding.Name)] = binding;
            }
        }

        foreach (var serviceAccount in serviceAccounts ?? [])
        {
            _serviceAccounts[(serviceAccount.Namespace, serviceAccount.Name)] = serviceAccount;
        }

        foreach (var binding in roleBindings.Values)
        {
            if (!_roleBindingsByNamespace.TryGetValue(binding.Namespace, out var list))
            {
                _roleBindingsByNamespace[binding.Namespace] = list = [];
            }

            list.Add(binding);
        }

        // Sorted so every listing and every report comes out the same way whatever the input order.
        ClusterRoles = [.. _clusterRoles.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
        Roles = [.. _roles.Values.OrderBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)];
        ClusterRoleBindings = [.. clusterBindings.Values.OrderBy(b => b.Name, StringComparer.Ordinal)];
        foreach (var list in _roleBindingsByNamespace.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        RoleBindings = [.. _roleBindingsByNamespace.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value)];
        ServiceAccounts = [.. _serviceAccounts.Values.OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>An empty snapshot: nothing is allowed.</summary>
    public static RbacSnapshot Empty { get; } = new([], []);

    /// <summary>ClusterRoles by name.</summary>
    public IReadOnlyList<RbacRole> ClusterRoles { get; }

    /// <summary>Namespaced Roles by namespace, then name.</summary>
    public IReadOnlyList<RbacRole> Roles { get; }

    /// <summary>ClusterRoles then Roles.</summary>
    public IEnumerable<RbacRole> AllRoles => ClusterRoles.Concat(Roles);

    public IReadOnlyList<RbacBinding> ClusterRoleBindings { get; }

    /// <summary>RoleBindings by namespace, then name.</summary>
    public IReadOnlyList<RbacBinding> RoleBindings { get; }

    /// <summary>ClusterRoleBindings then RoleBindings.</summary>
    public IEnumerable<RbacBinding> AllBindings => ClusterRoleBindings.Concat(RoleBindings);

    public IReadOnlyList<RbacServiceAccount> ServiceAccounts { get; }

    /// <summary>Every namespace some Role, RoleBinding or ServiceAccount lives in, sorted.</summary>
    public IReadOnlyList<string> Namespaces => [.. Roles.Select(r => r.Namespace)
        .Concat(_roleBindingsByNamespace.Keys)
        .Concat(ServiceAccounts.Select(s => s.Namespace))
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)];

    public RbacRole? GetClusterRole(string name) => _clusterRoles.GetValueOrDefault(name);

    public RbacRole? GetRole(string @namespace, string name) => _roles.GetValueOrDefault((@namespace, name));

    /// <summary>A role by the kind a roleRef uses (<c>Role</c> or <c>ClusterRole</c>); null for another kind or a missing role.</summary>
    public RbacRole? GetRole(string kind, string @namespace, string name) => kind switch
    {
        RoleRef.ClusterRoleKind => GetClusterRole(name),
        RoleRef.RoleKind => GetRole(@namespace, name),
        _ => null,
    };

    /// <summary>The RoleBindings of one namespace, by name.</summary>
    public IReadOnlyList<RbacBinding> RoleBindingsIn(string @namespace) =>
        _roleBindingsByNamespace.TryGetValue(@namespace, out var list) ? list : NoBindings;

    public RbacServiceAccount? GetServiceAccount(string @namespace, string name) => _serviceAccounts.GetValueOrDefault((@namespace, name));

    /// <summary>
    /// The role a binding grants, resolved as upstream <c>GetRoleReferenceRules</c> does: a Role is
    /// looked up in the binding's namespace, so a ClusterRoleBinding naming a Role resolves to nothing.
    /// </summary>
    public RbacRole? ResolveRoleRef(RbacBinding binding) =>
        binding.RoleRef.Kind == RoleRef.RoleKind && binding.Namespace.Length == 0
            ? null
            : GetRole(binding.RoleRef.Kind, binding.Namespace, binding.RoleRef.Name);
}
