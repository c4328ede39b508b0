using System.Globalization;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;

namespace Auditrail.Detection.Rules;

/// <summary>
/// A rule's exceptions, checked after its condition holds: the event is exempt when, for some row,
/// every field matches its value under the field's comparison (equality unless <c>comps</c> says
/// otherwise). A field the event lacks matches nothing, so the row simply does not apply. (Folding
/// exceptions into the CEL condition would turn that absence into an error that silences the whole
/// rule.) A list field, such as <c>user.groups</c>, matches when one of its items does.
/// </summary>
public sealed class ExceptionFilter
{
    private readonly (FieldDefinition[] Fields, string[] Comps, IReadOnlyList<IReadOnlyList<string>> Rows)[] _exceptions;

    public ExceptionFilter(IEnumerable<RuleException> exceptions) =>
        _exceptions = exceptions.Where(e => e.Values.Count > 0)
            .Select(e => (
                e.Fields.Select(f => FieldCatalog.Find(f) ?? throw new ArgumentException($"unknown field '{f}'", nameof(exceptions))).ToArray(),
                e.Fields.Select((_, i) => e.CompAt(i)).ToArray(),
                e.Values))
            .ToArray();

    public bool Exempts(AuditEvent auditEvent)
    {
        foreach (var (fields, comps, rows) in _exceptions)
        {
            var values = new object?[fields.Length];
            for (var i = 0; i < fields.Length; i++)
            {
                values[i] = fields[i].Extract(auditEvent);
            }

            foreach (var row in rows)
            {
                var all = true;
                for (var i = 0; i < fields.Length && all; i++)
                {
                    all = Matches(values[i], comps[i], row[i]);
                }

                if (all)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Matches(object? value, string comp, string expected) => value switch
    {
        null => false,
        string text => ExceptionComparisons.Matches(text, comp, expected),

        // "!=" on a list means none of its items is the value, so one differing item is not enough.
        IEnumerable<string> list when comp == "!=" => list.All(item => ExceptionComparisons.Matches(item, comp, expected)),
        IEnumerable<string> list => list.Any(item => ExceptionComparisons.Matches(item, comp, expected)),
        bool flag when comp is "=" or "==" => string.Equals(flag ? "true" : "false", expected, StringComparison.OrdinalIgnoreCase),
        bool flag => ExceptionComparisons.Matches(flag ? "true" : "false", comp, expected),
        IFormattable number => ExceptionComparisons.Matches(number.ToString(null, CultureInfo.InvariantCulture), comp, expected),
        _ => false,
    };
}

/// <summary>
/// The comparisons an exception field may use (<c>comps</c>), named as Falco names them so imported
/// exceptions keep their meaning: the list operators compare one value for equality here.
/// </summary>
public static class ExceptionComparisons
{
    public static readonly IReadOnlyList<string> Names = ["=", "==", "!=", "in", "intersects", "startswith", "endswith", "contains", "icontains", "glob", "pmatch"];

    public static bool IsKnown(string comp) => Names.Contains(comp, StringComparer.Ordinal);

    public static bool Matches(string text, string comp, string expected) => comp switch
    {
        "=" or "==" or "in" or "intersects" => text == expected,
        "!=" => text != expected,
        "startswith" => text.StartsWith(expected, StringComparison.Ordinal),
        "endswith" => text.EndsWith(expected, StringComparison.Ordinal),
        "contains" => text.Contains(expected, StringComparison.Ordinal),
        "icontains" => text.Contains(expected, StringComparison.OrdinalIgnoreCase),
        "glob" => GlobPattern.IsMatch(text, expected),
        "pmatch" => IsUnderPath(text, expected),
        _ => false,
    };

    /// <summary>Falco's <c>pmatch</c>: the path is the prefix itself or lies beneath it, component by component.</summary>
    public static bool IsUnderPath(string path, string prefix)
    {
        var trimmed = prefix.Length > 1 ? prefix.TrimEnd('/') : prefix;
        return path == trimmed || path.StartsWith(trimmed.EndsWith('/') ? trimmed : trimmed + "/", StringComparison.Ordinal);
    }
}
