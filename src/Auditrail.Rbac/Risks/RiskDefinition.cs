using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Risks;

/// <summary>How bad a grant is; ordered so comparisons read naturally (Critical &gt; High).</summary>
public enum RiskSeverity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>
/// A request that shows a risky permission: a rule is risky when the authorizer's own
/// <see cref="RbacAuthorizer.RuleAllows"/> says it allows the probe. With
/// <see cref="AnyName"/>, a rule limited by resourceNames counts when it allows the request for one
/// of its names (reading one named Secret still reads a Secret).
/// </summary>
public sealed record RiskProbe(RequestAttributes Request, bool AnyName, string Description)
{
    /// <summary>A resource request on objects of any name (and collections).</summary>
    public static RiskProbe Resource(string verb, string group, string resource, string subresource = "") =>
        new(RequestAttributes.ForResource(verb, group, resource, subresource), true, Describe(verb, group, resource, subresource, null, null));

    /// <summary>A resource request on one named object in one namespace.</summary>
    public static RiskProbe Named(string verb, string group, string resource, string name, string @namespace) =>
        new(RequestAttributes.ForResource(verb, group, resource, name: name, @namespace: @namespace), false, Describe(verb, group, resource, "", name, @namespace));

    private static string Describe(string verb, string group, string resource, string subresource, string? name, string? @namespace)
    {
        var what = group.Length == 0 ? resource : $"{resource}.{group}";
        var sub = subresource.Length == 0 ? string.Empty : $"/{subresource}";
        var target = name is null ? string.Empty : $" {@namespace}/{name}";
        return $"{verb} {what}{sub}{target}";
    }
}

/// <summary>One entry of the risk catalogue: an id, a severity, why it matters, and the requests that reveal it.</summary>
public sealed record RiskDefinition(string Id, string Name, RiskSeverity Severity, string Title, string Why, IReadOnlyList<RiskProbe> Probes)
{
    /// <summary>Only for subjects every user or service account is in (the wildcard-to-broad-group risk).</summary>
    public bool BroadSubjectsOnly { get; init; }

    /// <summary>
    /// For a risk about a rule's shape rather than a request (wildcards): what about the rule is risky,
    /// empty when nothing. When set, <see cref="Probes"/> are not used.
    /// </summary>
    public Func<PolicyRule, IReadOnlyList<string>>? RuleCheck { get; init; }
}
