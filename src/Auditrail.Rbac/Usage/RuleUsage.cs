using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Usage;

/// <summary>
/// How much of one rule one subject used through one binding. The rule grants the cross product of
/// its verbs, groups, resources and names (or verbs and paths); each combination is a cell, used when
/// a logged request matched it. A wildcard is one cell, used by anything it matched; what it stood for
/// is kept in <see cref="ObservedVerbs"/> and <see cref="ObservedResources"/>.
/// </summary>
public sealed class RuleUsage
{
    private readonly HashSet<(int Verb, int Group, int Resource, int Name)> _cells = [];
    private readonly bool _nonResource;

    internal RuleUsage(PolicyRule rule, int index)
    {
        Rule = rule;
        Index = index;
        _nonResource = rule.NonResourceUrls.Count > 0;
    }

    public PolicyRule Rule { get; }

    /// <summary>The rule's position in its role's effective rules.</summary>
    public int Index { get; }

    /// <summary>Requests this rule allowed (each counted as often as it was made).</summary>
    public long Requests { get; private set; }

    /// <summary>Of <see cref="Requests"/>, those no other rule or binding allowed: without this rule they would have been refused.</summary>
    public long OnlyGrantRequests { get; private set; }

    public DateTimeOffset? LastUsed { get; private set; }

    public SortedSet<string> ObservedVerbs { get; } = new(StringComparer.Ordinal);

    /// <summary>The resources (<c>group/resource[/sub]</c>) or paths the allowed requests named.</summary>
    public SortedSet<string> ObservedResources { get; } = new(StringComparer.Ordinal);

    public int TotalCells => _nonResource
        ? Rule.Verbs.Count * Rule.NonResourceUrls.Count
        : Rule.Verbs.Count * Rule.ApiGroups.Count * Rule.Resources.Count * Math.Max(Rule.ResourceNames.Count, 1);

    public int UsedCells => _cells.Count;

    /// <summary>Used cells over all cells, 0 to 1.</summary>
    public double FractionUsed => TotalCells == 0 ? 0 : (double)UsedCells / TotalCells;

    public bool IsUsed => _cells.Count > 0;

    /// <summary>Verbs of the rule no allowed request used.</summary>
    public IReadOnlyList<string> UnusedVerbs => Unused(Rule.Verbs, c => c.Verb);

    public IReadOnlyList<string> UnusedApiGroups => _nonResource ? [] : Unused(Rule.ApiGroups, c => c.Group);

    public IReadOnlyList<string> UnusedResources => _nonResource ? [] : Unused(Rule.Resources, c => c.Resource);

    public IReadOnlyList<string> UnusedResourceNames => _nonResource ? [] : Unused(Rule.ResourceNames, c => c.Name);

    public IReadOnlyList<string> UnusedNonResourceUrls => _nonResource ? Unused(Rule.NonResourceUrls, c => c.Resource) : [];

    internal void Record(RequestAttributes request, long count, DateTimeOffset? time, bool onlyGrant)
    {
        Requests += count;
        if (onlyGrant)
        {
            OnlyGrantRequests += count;
        }

        if (time is { } t && (LastUsed is null || t > LastUsed))
        {
            LastUsed = t;
        }

        ObservedVerbs.Add(request.Verb);
        ObservedResources.Add(request.IsResourceRequest ? $"{(request.ApiGroup.Length == 0 ? "core" : request.ApiGroup)}/{request.CombinedResource}" : request.Path);
        // Each value of the rule is matched alone with the authorizer's own matchers (wildcards, */sub,
        // path prefixes), so "which values matched" follows exactly what allowed the request.
        var single = new PolicyRule();
        foreach (var verb in Matching(Rule.Verbs, v => RbacAuthorizer.VerbMatches(single with { Verbs = [v] }, request.Verb)))
        {
            if (_nonResource)
            {
                foreach (var url in Matching(Rule.NonResourceUrls, u => RbacAuthorizer.NonResourceUrlMatches(single with { NonResourceUrls = [u] }, request.Path)))
                {
                    _cells.Add((verb, 0, url, 0));
                }

                continue;
            }

            foreach (var group in Matching(Rule.ApiGroups, g => RbacAuthorizer.ApiGroupMatches(single with { ApiGroups = [g] }, request.ApiGroup)))
            {
                foreach (var resource in Matching(Rule.Resources, r => RbacAuthorizer.ResourceMatches(single with { Resources = [r] }, request.Resource, request.Subresource)))
                {
                    // A rule without names has one name cell, "any"; one with names was matched by exactly one of them.
                    var names = Rule.ResourceNames.Count == 0 ? [0] : Matching(Rule.ResourceNames, n => n == request.Name);
                    foreach (var name in names)
                    {
                        _cells.Add((verb, group, resource, name));
                    }
                }
            }
        }
    }

    private static List<int> Matching(IReadOnlyList<string> values, Func<string, bool> matches)
    {
        var indexes = new List<int>();
        for (var i = 0; i < values.Count; i++)
        {
            if (matches(values[i]))
            {
                indexes.Add(i);
            }
        }

        return indexes;
    }

    private List<string> Unused(IReadOnlyList<string> values, Func<(int Verb, int Group, int Resource, int Name), int> axis)
    {
        var used = _cells.Select(axis).ToHashSet();
        return [.. values.Where((_, i) => !used.Contains(i))];
    }
}
