using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Traffic;

/// <summary>
/// People's RBAC in the simulated cluster: admins are cluster-admin; developers get view everywhere
/// (which excludes Secrets and Nodes) and edit in their team's namespaces; auditors get view. Everyone may
/// ask the self-review APIs, through system:basic-user.
/// </summary>
internal static class HumanAuthorization
{
    public const string BasicUserReason =
        "RBAC: allowed by ClusterRoleBinding \"system:basic-user\" of ClusterRole \"system:basic-user\" to Group \"system:authenticated\"";

    /// <summary>Applies the RBAC the simulated cluster gives people; forbids what it would not allow.</summary>
    public static void Authorize(Human human, AuditRequest r)
    {
        var resource = r.Resource!;
        if (resource.Group is "authorization.k8s.io" or "authentication.k8s.io")
        {
            r.Reason = BasicUserReason;
            return;
        }

        var write = Verbs.IsWrite(r.Verb) || r.Subresource is "exec" or "attach" or "portforward" or "eviction";
        var sensitive = resource == Api.Secrets;
        var clusterScoped = !resource.Namespaced && resource != Api.Namespaces;
        switch (human.Role)
        {
            case HumanRole.Admin:
                return;
            case HumanRole.Auditor when !write && !sensitive && resource != Api.Nodes:
                return;
            case HumanRole.Developer:
                var own = r.Namespace is { } ns && resource.Namespaced && Array.IndexOf(human.Namespaces, ns) >= 0;
                if (own && (write || sensitive) && resource.Group != "rbac.authorization.k8s.io")
                {
                    r.Reason = $"RBAC: allowed by RoleBinding \"developers/{r.Namespace}\" of ClusterRole \"edit\" to Group \"{human.Group}\"";
                    return;
                }

                if (!write && !sensitive && !clusterScoped)
                {
                    return;
                }

                break;
        }

        r.Forbid();
    }
}
