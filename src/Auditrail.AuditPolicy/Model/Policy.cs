using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.AuditPolicy.Model;

/// <summary>
/// An audit.k8s.io Policy (v1; v1beta1 and v1alpha1 read the same way): rules tried in order, the first
/// that matches a request sets its level. Kept as written, with where each part was written, so
/// validation and lint can point at the line.
/// </summary>
public sealed record Policy
{
    public required string File { get; init; }

    public string ApiVersion { get; init; } = "audit.k8s.io/v1";

    public IReadOnlyList<PolicyRule> Rules { get; init; } = [];

    /// <summary>Stages no rule records, added to every rule's own omitStages (as written; validation checks the names).</summary>
    public IReadOnlyList<string> OmitStages { get; init; } = [];

    public bool OmitManagedFields { get; init; }

    public SourceLocation Location { get; init; }

    /// <summary>Where each part of the document was written, keyed by its field path (<c>omitStages[1]</c>).</summary>
    public IReadOnlyDictionary<string, SourceLocation> Places { get; init; } = new Dictionary<string, SourceLocation>();

    public SourceLocation Where(string path) => Places.TryGetValue(path, out var place) ? place : Location;
}

/// <summary>One rule of a policy. Empty lists select everything, as upstream.</summary>
public sealed record PolicyRule
{
    /// <summary>Position in the policy (0-based, as kube-apiserver names it: <c>rules[3]</c>).</summary>
    public int Index { get; init; }

    /// <summary>The level as written; null when the rule has none.</summary>
    public string? Level { get; init; }

    public IReadOnlyList<string> Users { get; init; } = [];
    public IReadOnlyList<string> UserGroups { get; init; } = [];
    public IReadOnlyList<string> Verbs { get; init; } = [];
    public IReadOnlyList<GroupResources> Resources { get; init; } = [];
    public IReadOnlyList<string> Namespaces { get; init; } = [];
    public IReadOnlyList<string> NonResourceUrls { get; init; } = [];
    public IReadOnlyList<string> OmitStages { get; init; } = [];

    /// <summary>Null: the policy's omitManagedFields applies.</summary>
    public bool? OmitManagedFields { get; init; }

    public SourceLocation Location { get; init; }

    /// <summary>Where each field of the rule was written, keyed by its path inside the rule (<c>level</c>, <c>nonResourceURLs[2]</c>).</summary>
    public IReadOnlyDictionary<string, SourceLocation> Places { get; init; } = new Dictionary<string, SourceLocation>();

    /// <summary>The level, when it is one of the four valid names.</summary>
    public AuditLevel? ParsedLevel => PolicyNames.TryParseLevel(Level, out var level) ? level : null;

    /// <summary>Rules with namespaces or resources apply to resource requests only.</summary>
    public bool IsResourceScoped => Namespaces.Count > 0 || Resources.Count > 0;

    /// <summary>Rules with nonResourceURLs (and neither namespaces nor resources) apply to non-resource requests only.</summary>
    public bool IsNonResourceScoped => !IsResourceScoped && NonResourceUrls.Count > 0;

    /// <summary>A rule with no selector at all matches every request.</summary>
    public bool MatchesEverything => Users.Count == 0 && UserGroups.Count == 0 && Verbs.Count == 0 && !IsResourceScoped && NonResourceUrls.Count == 0;

    public SourceLocation Where(string path) => Places.TryGetValue(path, out var place) ? place : Location;

    /// <summary>The rule as kube-apiserver names it in errors: <c>rules[3]</c>.</summary>
    public string Name => $"rules[{Index}]";
}

/// <summary>
/// API group and resources a rule selects. <c>*</c> is every resource and subresource, <c>*/scale</c>
/// a subresource of any resource, <c>pods/*</c> pods and every subresource of pods (plain pods too).
/// </summary>
public sealed record GroupResources(string Group, IReadOnlyList<string> Resources, IReadOnlyList<string> ResourceNames);

/// <summary>Names the policy API uses for levels and stages.</summary>
public static class PolicyNames
{
    public static readonly IReadOnlyList<string> Levels = ["None", "Metadata", "Request", "RequestResponse"];

    public static readonly IReadOnlyList<string> Stages = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"];

    public static bool TryParseLevel(string? text, out AuditLevel level)
    {
        var index = text is null ? -1 : IndexOf(Levels, text);
        level = (AuditLevel)Math.Max(index, 0);
        return index >= 0;
    }

    public static bool TryParseStage(string? text, out AuditStage stage)
    {
        var index = text is null ? -1 : IndexOf(Stages, text);
        stage = (AuditStage)Math.Max(index, 0);
        return index >= 0;
    }

    private static int IndexOf(IReadOnlyList<string> names, string text)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], text, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
