namespace Auditrail.Cel.Conformance;

/// <summary>How a field was named in the text.</summary>
public enum TextFieldKind
{
    /// <summary>A plain identifier: <c>single_int64: 1</c>.</summary>
    Regular,

    /// <summary>A bracketed extension name: <c>[pkg.ext]: 1</c>.</summary>
    Extension,

    /// <summary>
    /// A bracketed type URL that expands a <c>google.protobuf.Any</c>:
    /// <c>[type.googleapis.com/pkg.Msg] { ... }</c>. <see cref="TextField.Name"/> holds the whole URL.
    /// </summary>
    Any,
}

/// <summary>One <c>name: value</c> pair. Repeated fields and list syntax give one entry per element, in order.</summary>
public sealed class TextField
{
    internal TextField(string name, TextFieldKind kind, TextValue value, TextPosition position)
    {
        Name = name;
        Kind = kind;
        Value = value;
        Position = position;
    }

    /// <summary>The identifier, extension name or type URL, without brackets.</summary>
    public string Name { get; }

    public TextFieldKind Kind { get; }

    public TextValue Value { get; }

    /// <summary>Where the field name starts.</summary>
    public TextPosition Position { get; }

    public override string ToString() => Kind == TextFieldKind.Regular ? $"{Name}: {Value}" : $"[{Name}]: {Value}";
}
