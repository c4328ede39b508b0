namespace Auditrail.Rbac.Model;

/// <summary>
/// One rule of a Role or ClusterRole (rbac.authorization.k8s.io/v1 <c>PolicyRule</c>). Lists keep the
/// values as written: matching (<see cref="Authorization.RbacAuthorizer.RuleAllows"/>) compares them
/// literally, the way the apiserver does, so <c>"Pods"</c> or <c>"pods/*"</c> mean what they say.
/// </summary>
public sealed record PolicyRule
{
    /// <summary>The wildcard that matches every verb, group, resource or non-resource URL.</summary>
    public const string All = "*";

    public IReadOnlyList<string> Verbs { get; init; } = [];

    /// <summary>API groups; <c>""</c> is the core group.</summary>
    public IReadOnlyList<string> ApiGroups { get; init; } = [];

    /// <summary>Resources, <c>resource/subresource</c>, <c>*</c> or <c>*/subresource</c>.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>Object names the rule is limited to; empty means every name.</summary>
    public IReadOnlyList<string> ResourceNames { get; init; } = [];

    /// <summary>Paths such as <c>/healthz</c> or <c>/logs/*</c>; only honoured through ClusterRoleBindings.</summary>
    public IReadOnlyList<string> NonResourceUrls { get; init; } = [];

    /// <summary>Where the rule was written; default when built in code.</summary>
    public ManifestLocation Source { get; init; }

    /// <summary>Equal content (same values in the same order), whatever the source: what aggregation deduplicates on.</summary>
    public bool SameContentAs(PolicyRule other) =>
        Verbs.SequenceEqual(other.Verbs, StringComparer.Ordinal)
        && ApiGroups.SequenceEqual(other.ApiGroups, StringComparer.Ordinal)
        && Resources.SequenceEqual(other.Resources, StringComparer.Ordinal)
        && ResourceNames.SequenceEqual(other.ResourceNames, StringComparer.Ordinal)
        && NonResourceUrls.SequenceEqual(other.NonResourceUrls, StringComparer.Ordinal);

    /// <summary>A compact form for tables and messages, e.g. <c>verbs=[get list] apiGroups=[""] resources=[secrets]</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>(5) { $"verbs=[{Join(Verbs)}]" };
        if (NonResourceUrls.Count > 0)
        {
            parts.Add($"nonResourceURLs=[{Join(NonResourceUrls)}]");
        }

        if (ApiGroups.Count > 0 || Resources.Count > 0)
        {
            parts.Add($"apiGroups=[{Join(ApiGroups.Select(g => g.Length == 0 ? "\"\"" : g))}]");
            parts.Add($"resources=[{Join(Resources)}]");
        }

        if (ResourceNames.Count > 0)
        {
            parts.Add($"resourceNames=[{Join(ResourceNames)}]");
        }

        return string.Join(' ', parts);

        static string Join(IEnumerable<string> values) => string.Join(' ', values);
    }
}
