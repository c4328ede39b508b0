namespace Auditrail.Cel.Conformance;

internal enum TextTokenKind
{
    End,
    Identifier,
    Integer,
    Float,
    String,
    Symbol,
}

/// <summary>
/// One lexical element. <see cref="Text"/> is the spelling of identifiers and numbers,
/// <see cref="Bytes"/> the unescaped content of one quoted literal, <see cref="Symbol"/> the punctuation.
/// </summary>
internal readonly record struct TextToken(
    TextTokenKind Kind,
    TextPosition Position,
    string Text = "",
    byte[]? Bytes = null,
    char Symbol = '\0')
{
    public bool Is(char symbol) => Kind == TextTokenKind.Symbol && Symbol == symbol;

    /// <summary>The token as an error message names it.</summary>
    public string Describe() => Kind switch
    {
        TextTokenKind.End => "end of input",
        TextTokenKind.Symbol => $"'{Symbol}'",
        TextTokenKind.String => "a string",
        _ => $"'{Text}'",
    };
}
