using System.Text.Json;
using Auditrail.Admission.Review;

namespace Auditrail.Cli.Commands.Admission;

/// <summary>The JSON shapes of findings and patches that the admission verbs share.</summary>
internal static class FindingJson
{
    public static void WriteFindings(Utf8JsonWriter writer, string property, IEnumerable<AdmissionFinding> findings)
    {
        writer.WriteStartArray(property);
        foreach (var finding in findings)
        {
            writer.WriteStartObject();
            writer.WriteString("guardrail", finding.Source);
            writer.WriteString("check", finding.CheckId);
            writer.WriteString("action", finding.Action.ToString().ToLowerInvariant());
            writer.WriteString("message", finding.Message);
            if (finding.Path is { } path)
            {
                writer.WriteString("path", path);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static void WritePatch(Utf8JsonWriter writer, IReadOnlyList<JsonPatchOperation> patch)
    {
        writer.WriteStartArray("patch");
        foreach (var operation in patch)
        {
            writer.WriteStartObject();
            writer.WriteString("op", operation.Op);
            writer.WriteString("path", operation.Path);
            if (operation.Op != "remove")
            {
                writer.WritePropertyName("value");
                if (operation.Value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    operation.Value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
