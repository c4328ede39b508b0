using System.Text;
using System.Text.RegularExpressions;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;

namespace Auditrail.Detection.Rules;

/// <summary>
/// An alert message with <c>%{field}</c> placeholders naming catalog fields, checked when the rule
/// loads (a typo is an error there, not an empty hole in every alert) and filled per event.
/// </summary>
public sealed partial class OutputTemplate
{
    private readonly (string Literal, FieldDefinition? Field)[] _parts;

    private OutputTemplate((string, FieldDefinition?)[] parts) => _parts = parts;

    [GeneratedRegex(@"%\{([A-Za-z0-9_.]+)\}")]
    private static partial Regex Placeholder();

    /// <summary>Parses the template; unknown field names are returned as errors.</summary>
    public static OutputTemplate Parse(string template, out List<string> unknownFields)
    {
        unknownFields = [];
        var parts = new List<(string, FieldDefinition?)>();
        var last = 0;
        foreach (Match match in Placeholder().Matches(template))
        {
            parts.Add((template[last..match.Index], null));
            var name = match.Groups[1].Value;
            if (FieldCatalog.Find(name) is { } field)
            {
                parts.Add((string.Empty, field));
            }
            else
            {
                unknownFields.Add(name);
            }

            last = match.Index + match.Length;
        }

        parts.Add((template[last..], null));
        return new OutputTemplate([.. parts]);
    }

    /// <summary>Fills the placeholders; an absent field reads as <c>&lt;NA&gt;</c>, as Falco writes it.</summary>
    public string Render(AuditEvent auditEvent)
    {
        var text = new StringBuilder();
        foreach (var (literal, field) in _parts)
        {
            text.Append(literal);
            if (field is not null)
            {
                text.Append(Format(field.Extract(auditEvent)));
            }
        }

        return text.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "<NA>",
        string s => s,
        IReadOnlyList<string> list => string.Join(",", list),
        IReadOnlyDictionary<string, string> map => string.Join(",", map.Select(p => $"{p.Key}={p.Value}")),
        DateTimeOffset time => Core.Writing.AuditEventJsonWriter.FormatTime(time),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "<NA>",
    };
}
