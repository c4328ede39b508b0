using System.Text;
using System.Text.Json;

namespace Auditrail.AuditPolicy.Recommendation;

/// <summary>
/// Writes a policy as YAML people read and review: a comment above every rule, lists in flow style,
/// every string double-quoted (JSON quoting is valid YAML, and <c>system:nodes</c> or <c>""</c> stay strings).
/// </summary>
public static class PolicyYaml
{
    public static string Write(IEnumerable<string> header, IReadOnlyList<string> omitStages, bool omitManagedFields, IEnumerable<RecommendedRule> rules)
    {
        var text = new StringBuilder();
        foreach (var line in header)
        {
            text.Append("# ").AppendLine(line);
        }

        text.AppendLine("apiVersion: audit.k8s.io/v1");
        text.AppendLine("kind: Policy");
        if (omitStages.Count > 0)
        {
            text.Append("omitStages: ").AppendLine(List(omitStages));
        }

        if (omitManagedFields)
        {
            text.AppendLine("omitManagedFields: true");
        }

        text.AppendLine("rules:");
        foreach (var (rule, comment) in rules)
        {
            foreach (var line in Wrap(comment, 96))
            {
                text.Append("  # ").AppendLine(line);
            }

            text.Append("  - level: ").AppendLine(rule.Level);
            Field(text, "users", rule.Users);
            Field(text, "userGroups", rule.UserGroups);
            Field(text, "verbs", rule.Verbs);
            Field(text, "namespaces", rule.Namespaces);
            Field(text, "nonResourceURLs", rule.NonResourceUrls);
            if (rule.Resources.Count > 0)
            {
                text.AppendLine("    resources:");
                foreach (var entry in rule.Resources)
                {
                    text.Append("      - group: ").AppendLine(Quote(entry.Group));
                    if (entry.Resources.Count > 0)
                    {
                        text.Append("        resources: ").AppendLine(List(entry.Resources));
                    }

                    if (entry.ResourceNames.Count > 0)
                    {
                        text.Append("        resourceNames: ").AppendLine(List(entry.ResourceNames));
                    }
                }
            }

            Field(text, "omitStages", rule.OmitStages);
        }

        return text.ToString();
    }

    private static void Field(StringBuilder text, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            text.Append("    ").Append(name).Append(": ").AppendLine(List(values));
        }
    }

    private static string List(IEnumerable<string> values) => $"[{string.Join(", ", values.Select(Quote))}]";

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }
}
