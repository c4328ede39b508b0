using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.LeastPrivilege;

/// <summary>
/// What <see cref="LeastPrivilegeGenerator"/> produced: at most one ClusterRole and ClusterRoleBinding
/// (cluster-scoped and non-resource requests, and namespaced ones when widened), and a Role and
/// RoleBinding per namespace; <see cref="AlreadyAllowed"/> lists the requests the existing RBAC
/// allowed, for which nothing was generated.
/// </summary>
public sealed record GeneratedRbac(
    IReadOnlyList<RbacRole> Roles,
    IReadOnlyList<RbacBinding> Bindings,
    IReadOnlyList<LoggedRequest> AlreadyAllowed,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>Every generated object, in the order a manifest lists them: ClusterRole, ClusterRoleBinding, then per namespace Role and RoleBinding.</summary>
    public IEnumerable<object> Objects
    {
        get
        {
            foreach (var role in Roles.Where(r => r.IsClusterRole))
            {
                yield return role;
            }

            foreach (var binding in Bindings.Where(b => b.IsClusterBinding))
            {
                yield return binding;
            }

            foreach (var role in Roles.Where(r => !r.IsClusterRole))
            {
                yield return role;
                foreach (var binding in Bindings.Where(b => !b.IsClusterBinding && b.Namespace == role.Namespace))
                {
                    yield return binding;
                }
            }
        }
    }

    public int RuleCount => Roles.Sum(r => r.Rules.Count);

    /// <summary>The generated objects on top of <paramref name="existing"/> (a generated object replaces an existing one of the same kind and name).</summary>
    public RbacSnapshot Over(RbacSnapshot existing) => SnapshotLayers.Combine(existing, new RbacSnapshot(Roles, Bindings));
}
