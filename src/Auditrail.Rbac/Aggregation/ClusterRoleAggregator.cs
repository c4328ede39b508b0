using Auditrail.Rbac.Loading;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Aggregation;

/// <summary>
/// What the clusterrole-aggregation controller does: a ClusterRole with an <c>aggregationRule</c> gets
/// as its rules those of every ClusterRole its selectors pick (itself excepted), selector by
/// selector, the picked roles by name, each rule once. Its own rules are replaced, not kept. Picked
/// roles may be aggregated themselves (view aggregates into edit, edit into admin); the controller
/// reaches that by re-syncing until nothing changes, and so does this, so the order of the input
/// does not matter.
/// </summary>
public static class ClusterRoleAggregator
{
    /// <summary>The roles with aggregated ClusterRoles' rules filled in; problems go to <paramref name="diagnostics"/>.</summary>
    public static IReadOnlyList<RbacRole> Aggregate(IReadOnlyList<RbacRole> roles, List<RbacDiagnostic> diagnostics)
    {
        var clusterRoles = roles.Where(r => r.IsClusterRole).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var current = clusterRoles.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var aggregated = new List<string>();
        foreach (var role in clusterRoles.Where(r => r.AggregationRule is not null))
        {
            var invalid = role.AggregationRule!.Select(LabelSelectorMatcher.Validate).FirstOrDefault(e => e is not null);
            if (invalid is null)
            {
                aggregated.Add(role.Name);
            }
            else
            {
                diagnostics.Add(new RbacDiagnostic(RbacCodes.AggregationProblem, RbacDiagnosticSeverity.Error, role.Source,
                    $"{role.DisplayName}: aggregationRule is invalid ({invalid}); the controller leaves its rules as written"));
            }
        }

        if (aggregated.Count == 0)
        {
            return roles;
        }

        // Each pass can only propagate rules one aggregation level further, so a chain of n aggregated
        // roles settles within n + 1 passes; one that has not settled by then feeds on itself.
        var settled = false;
        for (var pass = 0; pass <= aggregated.Count + 1 && !settled; pass++)
        {
            settled = true;
            foreach (var name in aggregated)
            {
                var role = current[name];
                var (rules, sources) = Collect(role, clusterRoles.Select(r => current[r.Name]));
                if (!SameRules(rules, role.Rules))
                {
                    settled = false;
                }

                current[name] = role with { Rules = rules, AggregatedFrom = sources };
            }
        }

        if (FindCycle(aggregated, current) is { } cycle)
        {
            diagnostics.Add(new RbacDiagnostic(RbacCodes.AggregationProblem, RbacDiagnosticSeverity.Warning, current[cycle[0]].Source,
                $"aggregated ClusterRoles select each other in a cycle ({string.Join(" → ", cycle)}); their rules depend on the order the controller syncs them"));
        }
        else if (!settled)
        {
            diagnostics.Add(new RbacDiagnostic(RbacCodes.AggregationProblem, RbacDiagnosticSeverity.Warning, current[aggregated[0]].Source,
                $"aggregated ClusterRoles did not settle ({string.Join(", ", aggregated)}); their rules depend on the order the controller syncs them"));
        }

        return [.. roles.Select(r => r.IsClusterRole ? current[r.Name] : r)];
    }

    private static (List<PolicyRule> Rules, List<string> Sources) Collect(RbacRole role, IEnumerable<RbacRole> candidates)
    {
        var ordered = candidates.ToList();
        var rules = new List<PolicyRule>();
        var sources = new List<string>();
        foreach (var selector in role.AggregationRule!)
        {
            foreach (var candidate in ordered)
            {
                if (candidate.Name == role.Name || !LabelSelectorMatcher.Matches(selector, candidate.Labels))
                {
                    continue;
                }

                if (!sources.Contains(candidate.Name, StringComparer.Ordinal))
                {
                    sources.Add(candidate.Name);
                }

                foreach (var rule in candidate.Rules)
                {
                    if (!rules.Exists(r => r.SameContentAs(rule)))
                    {
                        rules.Add(rule);
                    }
                }
            }
        }

        return (rules, sources);
    }

    /// <summary>A cycle among aggregated roles (each selecting the next), as role names ending where they start; null when there is none.</summary>
    private static List<string>? FindCycle(List<string> aggregated, Dictionary<string, RbacRole> roles)
    {
        var selects = aggregated.ToDictionary(
            name => name,
            name => aggregated.Where(other => other != name && roles[name].AggregationRule!.Any(s => LabelSelectorMatcher.Matches(s, roles[other].Labels))).ToList(),
            StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        List<string>? Visit(string name)
        {
            var onPath = path.IndexOf(name);
            if (onPath >= 0)
            {
                return [.. path.Skip(onPath), name];
            }

            if (!done.Add(name))
            {
                return null;
            }

            path.Add(name);
            foreach (var next in selects[name])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return aggregated.Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static bool SameRules(IReadOnlyList<PolicyRule> a, IReadOnlyList<PolicyRule> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.SameContentAs(p.Second));
}
