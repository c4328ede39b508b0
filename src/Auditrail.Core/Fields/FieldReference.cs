using System.Text;

namespace Auditrail.Core.Fields;

/// <summary>Renders the field catalog as the Markdown reference in <c>docs/fields.md</c>.</summary>
public static class FieldReference
{
    public static string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# Field reference");
        text.AppendLine();
        text.AppendLine("Generated from `FieldCatalog` (`src/Auditrail.Core/Fields/FieldCatalog.cs`); `auditrail fields` prints the same table.");
        text.AppendLine("A test fails when this file and the catalog disagree: regenerate it with");
        text.AppendLine("`AUDITRAIL_UPDATE_DOCS=1 dotnet test tests/Auditrail.Core.Tests --filter FieldReference`.");
        AppendSection(text, "Event fields", "Read from the audit.k8s.io/v1 Event as the apiserver wrote it (after redaction).", derived: false);
        AppendSection(text, "Derived fields", "Computed by Auditrail from the event.", derived: true);
        return text.ToString();
    }

    private static void AppendSection(StringBuilder text, string title, string intro, bool derived)
    {
        text.AppendLine();
        text.AppendLine($"## {title}");
        text.AppendLine();
        text.AppendLine(intro);
        text.AppendLine();
        text.AppendLine("| name | type | description |");
        text.AppendLine("|---|---|---|");
        foreach (var field in FieldCatalog.All.Where(f => f.Derived == derived))
        {
            text.AppendLine($"| `{field.Name}` | {field.TypeName} | {field.Description.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }
    }
}
