namespace Auditrail.Cel.Conformance;

/// <summary>A 1-based line and column in a text-format document; columns count characters, not bytes.</summary>
public readonly record struct TextPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
