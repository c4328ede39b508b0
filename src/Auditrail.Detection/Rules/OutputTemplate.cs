using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Auditrail.Cel;
using Auditrail.Cel.Runtime;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;

namespace Auditrail.Detection.Rules;

/// <summary>
/// An alert message with placeholders, checked when the rule loads (a typo is an error there, not an
/// empty hole in every alert) and filled per event: <c>%{field}</c> names a catalog field, and
/// <c>%{= expression}</c> is any CEL expression over the event, for values no field holds (a
/// container's image, a query parameter). Anything absent reads as <c>&lt;NA&gt;</c>, as Falco writes it.
/// </summary>
public sealed partial class OutputTemplate
{
    private readonly Part[] _parts;
    private readonly CelEnvironment _environment;

    private OutputTemplate(Part[] parts, CelEnvironment environment)
    {
        _parts = parts;
        _environment = environment;
    }

    /// <summary>Literal text followed by at most one placeholder.</summary>
    private sealed record Part(string Literal, FieldDefinition? Field, CelProgram? Expression);

    [GeneratedRegex(@"^[A-Za-z0-9_.]+$")]
    private static partial Regex FieldName();

    /// <summary>
    /// Parses the template; expressions compile in <paramref name="environment"/> (its macros and lists
    /// included). Each problem comes back as a message: an unknown field, an expression that does not compile.
    /// </summary>
    public static OutputTemplate Parse(string template, CelEnvironment environment, out List<string> problems)
    {
        problems = [];
        var parts = new List<Part>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var close = template[i] == '%' && i + 1 < template.Length && template[i + 1] == '{' ? PlaceholderEnd(template, i + 2) : -1;
            if (close < 0)
            {
                literal.Append(template[i++]);
                continue;
            }

            var body = template[(i + 2)..close];
            if (body.StartsWith('='))
            {
                var result = environment.Compile(body[1..].Trim());
                if (result.Success)
                {
                    parts.Add(new Part(literal.ToString(), null, result.Program));
                }
                else
                {
                    problems.Add($"output expression %{{{body}}} does not compile: {result.Diagnostics[0].Message}");
                }

                literal.Clear();
            }
            else if (FieldName().IsMatch(body))
            {
                if (FieldCatalog.Find(body) is { } field)
                {
                    parts.Add(new Part(literal.ToString(), field, null));
                }
                else
                {
                    problems.Add($"output refers to unknown field %{{{body}}} (see auditrail fields)");
                }

                literal.Clear();
            }
            else
            {
                // Not a placeholder (e.g. a JSON example in the text): keep it as written.
                literal.Append(template, i, close + 1 - i);
            }

            i = close + 1;
        }

        parts.Add(new Part(literal.ToString(), null, null));
        return new OutputTemplate([.. parts], environment);
    }

    /// <summary>The index of the '}' closing a placeholder whose body starts at <paramref name="start"/>, skipping braces inside quotes and nested pairs; -1 if none.</summary>
    private static int PlaceholderEnd(string template, int start)
    {
        var depth = 0;
        foreach (var (index, c) in CelText.OutsideStrings(template, start))
        {
            switch (c)
            {
                case '{':
                    depth++;
                    break;
                case '}' when depth == 0:
                    return index;
                case '}':
                    depth--;
                    break;
            }
        }

        return -1;
    }

    /// <summary>Fills the placeholders; an absent field or value reads as <c>&lt;NA&gt;</c>, as Falco writes it.</summary>
    public string Render(AuditEvent auditEvent)
    {
        var text = new StringBuilder();
        AuditEventActivation? activation = null;
        foreach (var (literal, field, expression) in _parts)
        {
            text.Append(literal);
            if (field is not null)
            {
                text.Append(Format(field.Extract(auditEvent)));
            }
            else if (expression is not null)
            {
                // Rendering runs once per alert, so a fresh activation costs little and keeps the template thread-safe.
                activation ??= new AuditEventActivation(_environment).Reset(auditEvent);
                text.Append(Format(expression.Evaluate(activation)));
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
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "<NA>",
    };

    /// <summary>An expression's value as text: absent (an error, null, an empty optional or list) is <c>&lt;NA&gt;</c>; a list joins its items with commas.</summary>
    private static string Format(CelValue value) => value.Kind switch
    {
        CelKind.Error or CelKind.Unknown or CelKind.Null => "<NA>",
        CelKind.Optional => value.AsOptional.HasValue ? Format(value.AsOptional.Value) : "<NA>",
        CelKind.String => value.AsString,
        CelKind.Bool => value.AsBool ? "true" : "false",
        CelKind.Int => value.AsInt.ToString(CultureInfo.InvariantCulture),
        CelKind.Uint => value.AsUint.ToString(CultureInfo.InvariantCulture),
        CelKind.Double => value.AsDouble.ToString(CultureInfo.InvariantCulture),
        CelKind.List => value.AsList.Count == 0 ? "<NA>" : string.Join(",", value.AsList.Select(Format)),
        CelKind.Timestamp => Core.Writing.AuditEventJsonWriter.FormatTime(value.AsTimestamp.ToDateTimeOffset()),
        _ => JsonFunctions.Text(value),
    };
}
