namespace Auditrail.Cel.Conformance;

/// <summary>
/// A text-format document that does not parse, or that does not fit the message it should describe.
/// The message reads <c>source:line:column: reason</c> so every problem points at its place.
/// </summary>
public sealed class TextProtoException : FormatException
{
    public TextProtoException(string reason, TextPosition position, string? sourceName = null)
        : base(Format(reason, position, sourceName))
    {
        Reason = reason;
        Position = position;
        SourceName = sourceName;
    }

    /// <summary>What is wrong, without the place.</summary>
    public string Reason { get; }

    public TextPosition Position { get; }

    /// <summary>The file or label the text came from, when the caller named one.</summary>
    public string? SourceName { get; }

    private static string Format(string reason, TextPosition position, string? sourceName) =>
        sourceName is null ? $"{position}: {reason}" : $"{sourceName}:{position}: {reason}";
}
