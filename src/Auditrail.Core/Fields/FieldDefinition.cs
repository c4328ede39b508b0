using Auditrail.Core.Model;

namespace Auditrail.Core.Fields;

/// <summary>The type of a field's value, as rules and documentation see it.</summary>
public enum FieldType
{
    String,
    Int,
    Bool,
    Timestamp,
    StringList,
    StringMap,
    /// <summary>An arbitrary JSON value (request and response bodies, user extra).</summary>
    Json,
}

/// <summary>Reads a string field's UTF-8 bytes without allocating; false when absent or stored escaped.</summary>
public delegate bool Utf8FieldGetter(AuditEvent auditEvent, out ReadOnlySpan<byte> utf8);

/// <summary>One field of an audit event: its name in rules, its type, what it means and how to get it.</summary>
/// <param name="Name">Dotted name, e.g. <c>objectRef.namespace</c> or <c>identity.kind</c>.</param>
/// <param name="Derived">True for fields Auditrail computes rather than reads from the Event.</param>
/// <param name="Extract">Returns the value, or null when the event lacks it (rules treat null as "no match").</param>
public sealed record FieldDefinition(string Name, FieldType Type, string Description, bool Derived, Func<AuditEvent, object?> Extract)
{
    /// <summary>Set for string fields read straight from the event: comparisons use the bytes, no string is built.</summary>
    public Utf8FieldGetter? Utf8 { get; init; }

    public string TypeName => Type switch
    {
        FieldType.String => "string",
        FieldType.Int => "int",
        FieldType.Bool => "bool",
        FieldType.Timestamp => "timestamp",
        FieldType.StringList => "list(string)",
        FieldType.StringMap => "map(string, string)",
        _ => "json",
    };
}
