namespace Auditrail.Detection.Falco;

/// <summary>
/// What a Falco field reads, as CEL over our field catalog. Every k8saudit field is a string or a list
/// of strings in Falco (a response code is <c>"201"</c>, a JSON object is its text), and a check on a
/// field the event lacks is false rather than an error; each shape below keeps both facts.
/// </summary>
internal abstract record FalcoFieldValue;

/// <summary>
/// One value with a presence test: <see cref="Guard"/> is a CEL bool (null when the field is always
/// there, as <c>verb</c> is) and <see cref="Value"/> a CEL string, or an int for <c>len()</c>.
/// <see cref="CatalogField"/> names the catalog field when the value is that field's (as text: a
/// response code of 201 reads "201").
/// </summary>
internal sealed record GuardedValue(string? Guard, string Value) : FalcoFieldValue
{
    public string? CatalogField { get; init; }

    public bool IsNumber { get; init; }
}

/// <summary>One value that may be absent, as a CEL list of zero or one strings (read from the event's JSON).</summary>
internal sealed record OptionalValue(string Values) : FalcoFieldValue;

/// <summary>A list field: a CEL list of strings, empty when Falco would find nothing (which it treats as absent).</summary>
internal sealed record ListValue(string Values) : FalcoFieldValue;
