using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Recommendation;

internal enum PrincipalKind
{
    /// <summary>Kubelets: group system:nodes.</summary>
    Nodes,

    /// <summary>Control-plane components by name (system:kube-scheduler, system:kube-controller-manager, system:apiserver …).</summary>
    ControlPlane,

    /// <summary>Service accounts, by the group of their namespace (system:serviceaccounts:NS).</summary>
    ServiceAccounts,

    /// <summary>People, anonymous callers and failed logins: never dropped.</summary>
    Other,
}

/// <summary>Who sent a request, as a policy rule can select it: by a group (nodes, a namespace's service accounts) or by name (control plane).</summary>
internal readonly record struct Principal(PrincipalKind Kind, string Selector)
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    public bool IsSystem => Kind != PrincipalKind.Other;

    /// <summary>True when a rule selects this principal with users (control plane), false with userGroups.</summary>
    public bool ByName => Kind == PrincipalKind.ControlPlane;

    public static Principal Of(AuditEvent e)
    {
        var user = e.UserName ?? string.Empty;
        if (e.UserGroups.Contains("system:nodes"))
        {
            return new Principal(PrincipalKind.Nodes, "system:nodes");
        }

        if (user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            var rest = user[ServiceAccountPrefix.Length..];
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? new Principal(PrincipalKind.ServiceAccounts, "system:serviceaccounts:" + rest[..colon]) : new Principal(PrincipalKind.Other, string.Empty);
        }

        return user.StartsWith("system:", StringComparison.Ordinal) && user is not "system:anonymous" && !user.StartsWith("system:node:", StringComparison.Ordinal)
            ? new Principal(PrincipalKind.ControlPlane, user)
            : new Principal(PrincipalKind.Other, string.Empty);
    }
}
