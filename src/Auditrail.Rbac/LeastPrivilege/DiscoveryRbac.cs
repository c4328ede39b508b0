using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.LeastPrivilege;

/// <summary>
/// The grants every cluster gives every authenticated user through its bootstrap policy (the
/// ClusterRoles <c>system:discovery</c>, <c>system:basic-user</c> and
/// <c>system:public-info-viewer</c>, bound to <c>system:authenticated</c>, as the apiserver
/// reconciles them on start). A least-privilege role need not repeat them, so requests they allow
/// (API discovery, health and version, self access reviews) are taken as already allowed, as
/// audit2rbac takes its discovery role.
/// </summary>
public static class DiscoveryRbac
{
    private const string Authenticated = "system:authenticated";

    public static RbacSnapshot Snapshot { get; } = Build();

    private static RbacSnapshot Build()
    {
        var discovery = new RbacRole
        {
            IsClusterRole = true,
            Name = "system:discovery",
            Rules = [new PolicyRule { Verbs = ["get"], NonResourceUrls = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"] }],
        };
        var basicUser = new RbacRole
        {
            IsClusterRole = true,
            Name = "system:basic-user",
            Rules =
            [
                new PolicyRule { Verbs = ["create"], ApiGroups = ["authorization.k8s.io"], Resources = ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
                new PolicyRule { Verbs = ["create"], ApiGroups = ["authentication.k8s.io"], Resources = ["selfsubjectreviews"] },
            ],
        };
        var publicInfo = new RbacRole
        {
            IsClusterRole = true,
            Name = "system:public-info-viewer",
            Rules = [new PolicyRule { Verbs = ["get"], NonResourceUrls = ["/healthz", "/livez", "/readyz", "/version", "/version/"] }],
        };
        RbacRole[] roles = [discovery, basicUser, publicInfo];
        var bindings = roles.Select(role => new RbacBinding
        {
            IsClusterBinding = true,
            Name = role.Name,
            RoleRef = new RoleRef(RoleRef.ClusterRoleKind, role.Name),
            Subjects = [new RbacSubject(SubjectKind.Group, Authenticated)],
        });
        return new RbacSnapshot(roles, bindings);
    }
}
