using System.Globalization;
using Auditrail.Core.Fields;
using Auditrail.Core.Model;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// The text of one or more catalog fields of an event, used as a state key (the <c>by</c> fields) or as
/// a value to count or learn. Fields are joined with U+001F, which no field value contains.
/// </summary>
internal sealed class GroupKey
{
    /// <summary>Stands for an absent field, so "no user agent" is a value of its own.</summary>
    public const string Missing = "<none>";

    private readonly FieldDefinition[] _fields;

    public GroupKey(IReadOnlyList<string> fields)
    {
        _fields = fields.Select(f => FieldCatalog.Find(f) ?? throw new ArgumentException($"unknown field '{f}'", nameof(fields))).ToArray();
        Description = string.Join(",", fields);
    }

    /// <summary>The field names, comma-joined: part of a baseline's fingerprint.</summary>
    public string Description { get; }

    public string Of(AuditEvent auditEvent)
    {
        switch (_fields.Length)
        {
            case 0:
                return string.Empty;
            case 1:
                return Text(_fields[0], auditEvent);
            default:
                var parts = new string[_fields.Length];
                for (var i = 0; i < parts.Length; i++)
                {
                    parts[i] = Text(_fields[i], auditEvent);
                }

                return string.Join('\u001f', parts);
        }
    }

    /// <summary>A key as people read it: the separator shown as a comma.</summary>
    public static string Display(string key) => key.Replace('\u001f', ',');

    private static string Text(FieldDefinition field, AuditEvent auditEvent) => field.Extract(auditEvent) switch
    {
        null => Missing,
        string text => text,
        IEnumerable<string> list => string.Join(',', list),
        var value => Convert.ToString(value, CultureInfo.InvariantCulture) ?? Missing,
    };
}
