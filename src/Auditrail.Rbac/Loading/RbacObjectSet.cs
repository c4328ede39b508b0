using Auditrail.Rbac.Aggregation;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Loading;

/// <summary>
/// The objects read so far from every input, keyed as the apiserver keys them. A second object with
/// the same kind, namespace and name replaces the first, as applying the inputs in order would, and
/// is reported. <see cref="Build"/> aggregates ClusterRoles and checks that bindings resolve.
/// </summary>
internal sealed class RbacObjectSet
{
    private readonly Dictionary<string, RbacRole> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RbacBinding> _bindings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RbacServiceAccount> _serviceAccounts = new(StringComparer.Ordinal);

    public void Add(RbacRole role, List<RbacDiagnostic> diagnostics) =>
        Put(_roles, role.DisplayName, role, role.Source, r => r.Source, diagnostics);

    public void Add(RbacBinding binding, List<RbacDiagnostic> diagnostics) =>
        Put(_bindings, binding.DisplayName, binding, binding.Source, b => b.Source, diagnostics);

    public void Add(RbacServiceAccount serviceAccount, List<RbacDiagnostic> diagnostics) =>
        Put(_serviceAccounts, $"ServiceAccount/{serviceAccount.Namespace}/{serviceAccount.Name}", serviceAccount, serviceAccount.Source, s => s.Source, diagnostics);

    public RbacSnapshot Build(List<RbacDiagnostic> diagnostics)
    {
        var roles = ClusterRoleAggregator.Aggregate([.. _roles.Values], diagnostics);
        var snapshot = new RbacSnapshot(roles, _bindings.Values, _serviceAccounts.Values);
        foreach (var binding in snapshot.AllBindings)
        {
            if (snapshot.ResolveRoleRef(binding) is null)
            {
                var where = binding.RoleRef.IsClusterRole ? string.Empty : $" in namespace {binding.Namespace}";
                diagnostics.Add(new RbacDiagnostic(RbacCodes.UnresolvedRoleRef, RbacDiagnosticSeverity.Warning, binding.Source,
                    $"{binding.DisplayName} references {binding.RoleRef}, which is not among the loaded objects{where}: it grants nothing here"));
            }
        }

        return snapshot;
    }

    private static void Put<T>(Dictionary<string, T> map, string key, T value, ManifestLocation source, Func<T, ManifestLocation> sourceOf, List<RbacDiagnostic> diagnostics)
    {
        if (map.TryGetValue(key, out var earlier))
        {
            diagnostics.Add(new RbacDiagnostic(RbacCodes.Duplicate, RbacDiagnosticSeverity.Warning, source,
                $"{key} is defined again (first at {sourceOf(earlier)}); the later definition is used"));
        }

        map[key] = value;
    }
}
