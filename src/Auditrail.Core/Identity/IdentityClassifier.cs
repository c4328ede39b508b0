namespace Auditrail.Core.Identity;

/// <summary>What a username says about its owner.</summary>
public readonly record struct IdentityInfo(IdentityKind Kind, string? ServiceAccountNamespace, string? ServiceAccountName, string? NodeName);

/// <summary>
/// Classifies usernames the way Kubernetes names its identities: service accounts and nodes by their
/// reserved prefixes, control-plane components by the <c>system:</c> prefix, managed-service agents by
/// the names EKS and AKS give them. Everything else is a person.
/// </summary>
public static class IdentityClassifier
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";
    private const string NodePrefix = "system:node:";

    /// <summary>Agents AKS runs in its managed control plane; <c>nodeclient</c> is the kubelets' bootstrap identity.</summary>
    private static readonly HashSet<string> AksAgents = new(StringComparer.Ordinal) { "aksService", "hcpService", "aks-support" };

    public static IdentityInfo Classify(string? username, IReadOnlyList<string>? groups = null)
    {
        if (string.IsNullOrEmpty(username))
        {
            return new IdentityInfo(IdentityKind.Unauthenticated, null, null, null);
        }

        if (username.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            // NAMESPACE:NAME; neither part may contain a colon (both are DNS labels/subdomains).
            var rest = username.AsSpan(ServiceAccountPrefix.Length);
            var colon = rest.IndexOf(':');
            if (colon > 0 && colon < rest.Length - 1)
            {
                return new IdentityInfo(IdentityKind.ServiceAccount, rest[..colon].ToString(), rest[(colon + 1)..].ToString(), null);
            }

            return new IdentityInfo(IdentityKind.ControlPlane, null, null, null);
        }

        if (username.StartsWith(NodePrefix, StringComparison.Ordinal))
        {
            return new IdentityInfo(IdentityKind.Node, null, null, username[NodePrefix.Length..]);
        }

        if (username == "nodeclient" || (groups is not null && groups.Contains("system:nodes")))
        {
            return new IdentityInfo(IdentityKind.Node, null, null, null);
        }

        if (username == "system:anonymous")
        {
            return new IdentityInfo(IdentityKind.Anonymous, null, null, null);
        }

        // system:admin is the cluster-admin certificate of OpenShift and of old kubeadm setups: a person at a terminal.
        if ((username.StartsWith("system:", StringComparison.Ordinal) && username != "system:admin")
            || username.StartsWith("eks:", StringComparison.Ordinal)
            || AksAgents.Contains(username))
        {
            return new IdentityInfo(IdentityKind.ControlPlane, null, null, null);
        }

        return new IdentityInfo(IdentityKind.Human, null, null, null);
    }
}
