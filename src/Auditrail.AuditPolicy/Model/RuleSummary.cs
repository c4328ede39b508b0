namespace Auditrail.AuditPolicy.Model;

/// <summary>A rule in one line, for tables: its selectors as <c>users=a,b verbs=get resources=pods,apps/*</c>.</summary>
public static class RuleSummary
{
    public static string Describe(PolicyRule rule)
    {
        var parts = new List<string>();
        Add(parts, "users", rule.Users);
        Add(parts, "groups", rule.UserGroups);
        Add(parts, "verbs", rule.Verbs);
        Add(parts, "namespaces", rule.Namespaces.Select(n => n.Length == 0 ? "\"\"" : n).ToList());
        Add(parts, "resources", rule.Resources.SelectMany(Entries).ToList());
        Add(parts, "urls", rule.NonResourceUrls);
        return parts.Count == 0 ? "(everything)" : string.Join(' ', parts);
    }

    /// <summary><c>pods</c> for the core group, <c>apps/deployments</c> otherwise, <c>apps/*</c> for a whole group.</summary>
    private static IEnumerable<string> Entries(GroupResources entry)
    {
        var prefix = entry.Group.Length == 0 ? string.Empty : entry.Group + "/";
        var names = entry.ResourceNames.Count > 0 ? $"[{string.Join(',', entry.ResourceNames)}]" : string.Empty;
        return entry.Resources.Count == 0
            ? [entry.Group.Length == 0 ? "core/*" : prefix + "*"]
            : entry.Resources.Select(r => prefix + r + names);
    }

    private static void Add(List<string> parts, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            parts.Add($"{name}={string.Join(',', values)}");
        }
    }
}
