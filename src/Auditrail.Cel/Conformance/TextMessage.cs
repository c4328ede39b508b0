namespace Auditrail.Cel.Conformance;

/// <summary>A message: its fields in document order, duplicates kept (the schema decides what they mean).</summary>
public sealed class TextMessage : TextValue
{
    internal TextMessage(IReadOnlyList<TextField> fields, TextPosition position)
        : base(position) => Fields = fields;

    public IReadOnlyList<TextField> Fields { get; }

    /// <summary>Every occurrence of a regular field, in order (a repeated field, or a list written as <c>[a, b]</c>).</summary>
    public IEnumerable<TextField> GetFields(string name) =>
        Fields.Where(f => f.Kind == TextFieldKind.Regular && f.Name == name);

    /// <summary>The last occurrence of a regular field, or null; the last one wins when a message is merged.</summary>
    public TextField? GetField(string name) => GetFields(name).LastOrDefault();

    public override string ToString() => Fields.Count == 0 ? "{}" : $"{{ {string.Join(" ", Fields)} }}";
}
