namespace Auditrail.Admission.Manifests;

/// <summary>
/// What an offline check needs to know of a kind without asking a cluster: its resource name and
/// whether it is cluster-scoped. Built-in kinds come from this table; other kinds use the apiserver's
/// guess in the spirit of the apiserver's for unregistered kinds (lower case, plural by <c>s</c>, <c>es</c>
/// after s/x/ch/sh, <c>ies</c> after a consonant and y: <c>gateways</c>, not the apiserver's <c>gatewaies</c>)
/// and count as namespaced.
/// </summary>
public static class KindResources
{
    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["Endpoints"] = "endpoints",
        ["NetworkPolicy"] = "networkpolicies",
        ["PodSecurityPolicy"] = "podsecuritypolicies",
        ["PriorityClass"] = "priorityclasses",
        ["StorageClass"] = "storageclasses",
        ["IngressClass"] = "ingressclasses",
        ["RuntimeClass"] = "runtimeclasses",
    };

    private static readonly HashSet<string> ClusterScoped =
    [
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass", "CSIDriver", "CSINode",
        "VolumeAttachment", "CustomResourceDefinition", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
        "PriorityClass", "IngressClass", "RuntimeClass", "CertificateSigningRequest", "PodSecurityPolicy", "FlowSchema",
        "PriorityLevelConfiguration", "ComponentStatus", "TokenReview", "SelfSubjectAccessReview", "SubjectAccessReview",
        "SelfSubjectRulesReview", "ClusterTrustBundle", "DeviceClass", "IPAddress", "ServiceCIDR",
    ];

    public static bool IsClusterScoped(string kind) => ClusterScoped.Contains(kind);

    /// <summary>The resource (plural, lower case) for a kind.</summary>
    public static string Resource(string kind)
    {
        if (Irregular.TryGetValue(kind, out var resource))
        {
            return resource;
        }

        var lower = kind.ToLowerInvariant();
        if (lower.EndsWith('s') || lower.EndsWith('x') || lower.EndsWith("ch", StringComparison.Ordinal) || lower.EndsWith("sh", StringComparison.Ordinal))
        {
            return lower + "es";
        }

        return lower.Length > 1 && lower[^1] == 'y' && !"aeiou".Contains(lower[^2], StringComparison.Ordinal) ? lower[..^1] + "ies" : lower + "s";
    }

    /// <summary>Splits <c>apps/v1</c> into group and version; <c>v1</c> is the core group.</summary>
    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (string.Empty, apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }
}
