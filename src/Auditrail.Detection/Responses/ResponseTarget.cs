namespace Auditrail.Detection.Responses;

/// <summary>An object a response acts on: API group, resource (plural), namespace (null when cluster-scoped) and name.</summary>
public sealed record ResponseTarget(string Group, string Resource, string? Namespace, string Name)
{
    /// <summary>Resources whose objects have no namespace; their targets are written <c>resource/name</c>.</summary>
    private static readonly HashSet<(string Group, string Resource)> ClusterScoped =
    [
        ("", "nodes"),
        ("", "namespaces"),
        ("", "persistentvolumes"),
        ("rbac.authorization.k8s.io", "clusterroles"),
        ("rbac.authorization.k8s.io", "clusterrolebindings"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
        ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
        ("storage.k8s.io", "storageclasses"),
        ("certificates.k8s.io", "certificatesigningrequests"),
    ];

    /// <summary>The group a resource belongs to when an alert target names it without one (written by hand in a response rule; audit events always carry it).</summary>
    private static readonly Dictionary<string, string> ImpliedGroups = new(StringComparer.Ordinal)
    {
        ["deployments"] = "apps",
        ["statefulsets"] = "apps",
        ["replicasets"] = "apps",
        ["daemonsets"] = "apps",
        ["roles"] = "rbac.authorization.k8s.io",
        ["rolebindings"] = "rbac.authorization.k8s.io",
        ["clusterroles"] = "rbac.authorization.k8s.io",
        ["clusterrolebindings"] = "rbac.authorization.k8s.io",
    };

    public bool IsClusterScoped => Namespace is null;

    /// <summary>
    /// Reads <c>[namespace/]resource[.group]/name[/subresource]</c> (the alert target form). The subresource is
    /// dropped: acting on <c>pods/x/exec</c> means acting on pod x. Request URIs (non-resource requests) and
    /// targets without a name give null, with the reason.
    /// </summary>
    public static ResponseTarget? TryParse(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "the alert has no target";
            return null;
        }

        if (text.StartsWith('/'))
        {
            problem = $"target '{text}' is a request URI, not an object";
            return null;
        }

        var parts = text.Split('/');
        if (parts.Any(p => p.Length == 0))
        {
            problem = $"target '{text}' has an empty segment";
            return null;
        }

        var (firstResource, firstGroup) = SplitResource(parts[0]);

        // A leading namespace and a leading resource look alike (team/pods/x against nodes/x/status). Namespace
        // names are DNS labels and never hold a dot, so a dotted first segment is resource.group, and a bare
        // one is a resource only for the cluster-scoped core and RBAC kinds listed above.
        var clusterScoped = parts[0].Contains('.', StringComparison.Ordinal) || ClusterScoped.Contains((firstGroup, firstResource));
        if (clusterScoped && parts.Length is 2 or 3)
        {
            return new ResponseTarget(firstGroup, firstResource, null, parts[1]);
        }

        if (!clusterScoped && parts.Length is 3 or 4)
        {
            var (resource, group) = SplitResource(parts[1]);
            return new ResponseTarget(group, resource, parts[0], parts[2]);
        }

        problem = $"target '{text}' does not name an object (expected [namespace/]resource[.group]/name)";
        return null;
    }

    private static (string Resource, string Group) SplitResource(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            return (text[..dot], text[(dot + 1)..]);
        }

        return (text, ImpliedGroups.GetValueOrDefault(text, ""));
    }

    public override string ToString()
    {
        var resource = Group.Length == 0 ? Resource : $"{Resource}.{Group}";
        return Namespace is null ? $"{resource}/{Name}" : $"{Namespace}/{resource}/{Name}";
    }
}
