using System.Globalization;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;

namespace Auditrail.Detection.Rules;

/// <summary>
/// A rule's exceptions, checked after its condition holds: the event is exempt when, for some row,
/// every field equals its value. A field the event lacks equals nothing, so the row simply does not
/// apply. (Folding exceptions into the CEL condition would turn that absence into an error that
/// silences the whole rule.) A list field, such as <c>user.groups</c>, equals a value it contains.
/// </summary>
public sealed class ExceptionFilter
{
    private readonly (FieldDefinition[] Fields, IReadOnlyList<IReadOnlyList<string>> Rows)[] _exceptions;

    public ExceptionFilter(IEnumerable<RuleException> exceptions) =>
        _exceptions = exceptions.Where(e => e.Values.Count > 0)
            .Select(e => (e.Fields.Select(f => FieldCatalog.Find(f) ?? throw new ArgumentException($"unknown field '{f}'", nameof(exceptions))).ToArray(), e.Values))
            .ToArray();

    public bool Exempts(AuditEvent auditEvent)
    {
        foreach (var (fields, rows) in _exceptions)
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
                    all = Equal(values[i], row[i]);
                }

                if (all)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Equal(object? value, string expected) => value switch
    {
        null => false,
        string text => text == expected,
        IEnumerable<string> list => list.Contains(expected, StringComparer.Ordinal),
        bool flag => string.Equals(flag ? "true" : "false", expected, StringComparison.OrdinalIgnoreCase),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture) == expected,
        _ => false,
    };
}
