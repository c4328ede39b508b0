using System.Text.Json;
using Auditrail.Core.Model;

namespace Auditrail.Detection.Rules;

/// <summary>
/// Writes a rule pack as a <c>RulePack</c> document (JSON, which is also YAML), in the shape
/// <see cref="RulePackLoader"/> reads back: what a translated pack is saved as.
/// </summary>
public static class RulePackWriter
{
    private static readonly AuditStage[] DefaultStages = [AuditStage.ResponseComplete, AuditStage.Panic];

    public static void Write(Utf8JsonWriter writer, RulePack pack, string name)
    {
        writer.WriteStartObject();
        writer.WriteString("apiVersion", RulePackLoader.ApiVersion);
        writer.WriteString("kind", RulePackLoader.Kind);
        writer.WriteStartObject("metadata");
        writer.WriteString("name", name);
        writer.WriteEndObject();

        writer.WriteStartArray("lists");
        foreach (var list in pack.Lists)
        {
            writer.WriteStartObject();
            writer.WriteString("name", list.Name);
            WriteStrings(writer, "items", list.Items);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("macros");
        foreach (var macro in pack.Macros)
        {
            writer.WriteStartObject();
            writer.WriteString("name", macro.Name);
            writer.WriteString("condition", macro.Condition);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("rules");
        foreach (var rule in pack.Rules)
        {
            WriteRule(writer, rule);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter writer, RuleDefinition rule)
    {
        if (rule.IsStateful)
        {
            throw new NotSupportedException($"rule '{rule.Name}' is stateful; the writer handles stateless rules only");
        }

        writer.WriteStartObject();
        writer.WriteString("name", rule.Name);
        if (rule.Description.Length > 0)
        {
            writer.WriteString("description", rule.Description);
        }

        writer.WriteString("severity", rule.Severity.ToWireName());
        if (rule.Tags.Count > 0)
        {
            WriteStrings(writer, "tags", rule.Tags);
        }

        if (!rule.Stages.SequenceEqual(DefaultStages))
        {
            WriteStrings(writer, "stages", rule.Stages.Select(s => s.ToWireName()));
        }

        writer.WriteString("condition", rule.Condition);
        if (rule.Exceptions.Count > 0)
        {
            writer.WriteStartArray("exceptions");
            foreach (var exception in rule.Exceptions)
            {
                writer.WriteStartObject();
                writer.WriteString("name", exception.Name);
                WriteStrings(writer, "fields", exception.Fields);
                if (exception.Comps is { } comps)
                {
                    WriteStrings(writer, "comps", comps);
                }

                writer.WriteStartArray("values");
                foreach (var row in exception.Values)
                {
                    writer.WriteStartArray();
                    foreach (var cell in row)
                    {
                        writer.WriteStringValue(cell);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (rule.Output.Length > 0)
        {
            writer.WriteString("output", rule.Output);
        }

        if (!rule.Enabled)
        {
            writer.WriteBoolean("enabled", false);
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
