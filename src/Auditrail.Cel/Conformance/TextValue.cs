namespace Auditrail.Cel.Conformance;

/// <summary>
/// A value in a text-format document, before any schema gives it a type: a nested
/// <see cref="TextMessage"/> or a <see cref="TextScalar"/>. The text format cannot tell an int field
/// from an enum or a double without the .proto, so scalars keep their spelling and convert on request.
/// </summary>
public abstract class TextValue
{
    private protected TextValue(TextPosition position) => Position = position;

    /// <summary>Where the value starts (the opening brace of a message, the sign or first token of a scalar).</summary>
    public TextPosition Position { get; }
}
