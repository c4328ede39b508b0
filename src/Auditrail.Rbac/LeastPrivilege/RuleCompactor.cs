using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.LeastPrivilege;

/// <summary>
/// Rewrites rules into fewer rules that allow exactly the same requests, deterministically:
/// every rule is broken down to single (verb, group, resource, name) or (verb, path) grants; verbs are
/// merged per group, resource and name; a named grant loses the verbs an unnamed grant of the same
/// resource already gives (and disappears when none are left); names are merged per group, resource
/// and verbs; resources per group, verbs and names; paths per verbs. Groups are never merged, so
/// every resource rule names one API group, and no merge ever widens: a merged rule's cross product
/// is exactly the union of what it replaced.
/// </summary>
public static class RuleCompactor
{
    public static IReadOnlyList<PolicyRule> Compact(IEnumerable<PolicyRule> rules)
    {
        // (group, resource, name) → verbs, and path → verbs: the grants, broken down and with verbs merged.
        var resourceGrants = new SortedDictionary<(string Group, string Resource, string Name), SortedSet<string>>(OrdinalTriple);
        var pathGrants = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            foreach (var verb in rule.Verbs)
            {
                foreach (var path in rule.NonResourceUrls)
                {
                    Add(pathGrants, path, verb);
                }

                foreach (var group in rule.ApiGroups)
                {
                    foreach (var resource in rule.Resources)
                    {
                        foreach (var name in rule.ResourceNames.Count == 0 ? [string.Empty] : rule.ResourceNames)
                        {
                            Add(resourceGrants, (group, resource, name), verb);
                        }
                    }
                }
            }
        }

        // A grant for every name already gives its verbs for each name.
        foreach (var ((group, resource, name), verbs) in resourceGrants.ToList())
        {
            if (name.Length > 0 && resourceGrants.TryGetValue((group, resource, string.Empty), out var unnamed))
            {
                verbs.ExceptWith(unnamed);
                if (verbs.Count == 0)
                {
                    resourceGrants.Remove((group, resource, name));
                }
            }
        }

        var byNames = resourceGrants
            .GroupBy(g => (g.Key.Group, g.Key.Resource, Verbs: Key(g.Value), Named: g.Key.Name.Length > 0))
            .Select(g => (g.Key.Group, g.Key.Resource, Verbs: g.First().Value, Names: g.Where(x => x.Key.Name.Length > 0).Select(x => x.Key.Name).Order(StringComparer.Ordinal).ToList()));
        var resourceRules = byNames
            .GroupBy(r => (r.Group, Verbs: Key(r.Verbs), Names: string.Join('\n', r.Names)))
            .Select(g => new PolicyRule
            {
                Verbs = [.. g.First().Verbs],
                ApiGroups = [g.Key.Group],
                Resources = [.. g.Select(r => r.Resource).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                ResourceNames = g.First().Names,
            });
        var pathRules = pathGrants
            .GroupBy(p => Key(p.Value))
            .Select(g => new PolicyRule { Verbs = [.. g.First().Value], NonResourceUrls = [.. g.Select(p => p.Key).Order(StringComparer.Ordinal)] });

        return [.. resourceRules.OrderBy(r => r.ApiGroups[0], StringComparer.Ordinal)
            .ThenBy(r => string.Join(',', r.Resources), StringComparer.Ordinal)
            .ThenBy(r => string.Join(',', r.ResourceNames), StringComparer.Ordinal)
            .ThenBy(r => string.Join(',', r.Verbs), StringComparer.Ordinal),
            .. pathRules.OrderBy(r => r.NonResourceUrls[0], StringComparer.Ordinal)];
    }

    // Tuples of strings compare with the culture by default; rule order must not depend on the machine.
    private static readonly IComparer<(string, string, string)> OrdinalTriple = Comparer<(string A, string B, string C)>.Create((x, y) =>
    {
        var c = string.CompareOrdinal(x.A, y.A);
        if (c == 0)
        {
            c = string.CompareOrdinal(x.B, y.B);
        }

        return c != 0 ? c : string.CompareOrdinal(x.C, y.C);
    });

    private static void Add<TKey>(SortedDictionary<TKey, SortedSet<string>> grants, TKey key, string verb)
        where TKey : notnull
    {
        if (!grants.TryGetValue(key, out var verbs))
        {
            grants[key] = verbs = new SortedSet<string>(StringComparer.Ordinal);
        }

        verbs.Add(verb);
    }

    private static string Key(SortedSet<string> verbs) => string.Join(',', verbs);
}
