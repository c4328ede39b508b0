using System.Globalization;

namespace Auditrail.Cel.Conformance;

/// <summary>
/// A CEL value as a conformance test states it: <c>cel.expr.Value</c> (cel-spec
/// proto/cel/expr/value.proto), one record per member of its <c>kind</c> oneof. Equality is
/// structural and exact (map entries in order, NaN equal to NaN); CEL's own equality rules are the
/// runner's business. <see cref="ToString"/> gives a CEL-like literal for failure messages.
/// </summary>
public abstract record ExpectedValue
{
    private protected ExpectedValue()
    {
    }

    /// <summary><c>null_value</c>.</summary>
    public sealed record NullValue : ExpectedValue;

    /// <summary><c>bool_value</c>.</summary>
    public sealed record BoolValue(bool Value) : ExpectedValue;

    /// <summary><c>int64_value</c>.</summary>
    public sealed record IntValue(long Value) : ExpectedValue;

    /// <summary><c>uint64_value</c>.</summary>
    public sealed record UintValue(ulong Value) : ExpectedValue;

    /// <summary><c>double_value</c>.</summary>
    public sealed record DoubleValue(double Value) : ExpectedValue;

    /// <summary><c>string_value</c>: the literal's bytes, which must be UTF-8, decoded.</summary>
    public sealed record StringValue(string Value) : ExpectedValue;

    /// <summary><c>bytes_value</c>: the literal's bytes exactly, escapes resolved.</summary>
    public sealed record BytesValue(byte[] Value) : ExpectedValue
    {
        public bool Equals(BytesValue? other) => other is not null && Value.AsSpan().SequenceEqual(other.Value);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(Value);
            return hash.ToHashCode();
        }
    }

    /// <summary><c>enum_value</c>: the enum's full name and the number.</summary>
    public sealed record EnumValue(string Type, int Value) : ExpectedValue;

    /// <summary>
    /// <c>object_value</c>, a <c>google.protobuf.Any</c>. Written as an expansion
    /// (<c>[type.googleapis.com/pkg.Msg] { ... }</c>) it carries the message's fields as a raw tree in
    /// <see cref="Message"/>, since only the runner knows TestAllTypes and friends. Written as
    /// <c>type_url</c> and <c>value</c> it carries the serialized bytes in <see cref="EncodedValue"/>.
    /// Equality compares the tree by reference.
    /// </summary>
    public sealed record ObjectValue(string TypeUrl, TextMessage? Message, byte[]? EncodedValue) : ExpectedValue
    {
        /// <summary>The message's full name: the type URL after its last '/'.</summary>
        public string TypeName => TypeUrl[(TypeUrl.LastIndexOf('/') + 1)..];

        public bool Equals(ObjectValue? other) =>
            other is not null
            && TypeUrl == other.TypeUrl
            && ReferenceEquals(Message, other.Message)
            && EncodedValue.AsSpan().SequenceEqual(other.EncodedValue);

        public override int GetHashCode() => HashCode.Combine(TypeUrl, Message);
    }

    /// <summary><c>map_value</c>: entries in the order written.</summary>
    public sealed record MapValue(IReadOnlyList<MapEntry> Entries) : ExpectedValue
    {
        public bool Equals(MapValue? other) => other is not null && StructuralEquality.ListEquals(Entries, other.Entries);

        public override int GetHashCode() => StructuralEquality.ListHash(Entries);
    }

    /// <summary><c>list_value</c>.</summary>
    public sealed record ListValue(IReadOnlyList<ExpectedValue> Values) : ExpectedValue
    {
        public bool Equals(ListValue? other) => other is not null && StructuralEquality.ListEquals(Values, other.Values);

        public override int GetHashCode() => StructuralEquality.ListHash(Values);
    }

    /// <summary><c>type_value</c>: a type's CEL name, such as <c>int</c> or <c>google.protobuf.Duration</c>.</summary>
    public sealed record TypeValue(string Name) : ExpectedValue;

    /// <summary>One <c>map_value</c> entry.</summary>
    public sealed record MapEntry(ExpectedValue Key, ExpectedValue Value);

    public sealed override string ToString() => this switch
    {
        NullValue => "null",
        BoolValue b => b.Value ? "true" : "false",
        IntValue i => i.Value.ToString(CultureInfo.InvariantCulture),
        UintValue u => u.Value.ToString(CultureInfo.InvariantCulture) + "u",
        DoubleValue d => FormatDouble(d.Value),
        StringValue s => TextFormatting.QuoteString(s.Value),
        BytesValue b => "b" + TextFormatting.QuoteBytes(b.Value),
        EnumValue e => $"{e.Type}({e.Value})",
        ObjectValue { Message: { } m } o => $"{o.TypeName}{m}",
        ObjectValue o => $"{o.TypeName}{{ bytes {TextFormatting.QuoteBytes(o.EncodedValue)} }}",
        MapValue m => $"{{{string.Join(", ", m.Entries.Select(e => $"{e.Key}: {e.Value}"))}}}",
        ListValue l => $"[{string.Join(", ", l.Values)}]",
        TypeValue t => t.Name,
        _ => GetType().Name,
    };

    /// <summary>Shortest round-trip text, with <c>.0</c> kept on whole numbers so a double never reads as an int.</summary>
    private static string FormatDouble(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(value) && !text.Contains('.', StringComparison.Ordinal) && !text.Contains('E', StringComparison.Ordinal)
            ? text + ".0"
            : text;
    }
}
