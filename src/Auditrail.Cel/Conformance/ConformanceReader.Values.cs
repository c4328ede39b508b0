namespace Auditrail.Cel.Conformance;

/// <summary><c>cel.expr.Value</c> and the messages inside it.</summary>
internal sealed partial class ConformanceReader
{
    private static readonly Dictionary<string, int> NullValueNames = new(StringComparer.Ordinal) { ["NULL_VALUE"] = 0 };

    private ExpectedValue ReadValue(TextField holder)
    {
        var message = Message(holder);
        var check = FieldCheck.ForOneof(this, "cel.expr.Value", "kind");
        ExpectedValue? value = null;
        foreach (var field in message.Fields)
        {
            value = Key(field) switch
            {
                "null_value" => NullValue(field),
                "bool_value" => new ExpectedValue.BoolValue(Bool(field)),
                "int64_value" => new ExpectedValue.IntValue(Int64(field)),
                "uint64_value" => new ExpectedValue.UintValue(UInt64(field)),
                "double_value" => new ExpectedValue.DoubleValue(Double(field)),
                "string_value" => new ExpectedValue.StringValue(String(field)),
                "bytes_value" => new ExpectedValue.BytesValue(Bytes(field)),
                "enum_value" => ReadEnumValue(field),
                "object_value" => ReadAny(field),
                "map_value" => new ExpectedValue.MapValue(ReadRepeated(field, "cel.expr.MapValue", "entries", ReadMapEntry)),
                "list_value" => new ExpectedValue.ListValue(ReadRepeated(field, "cel.expr.ListValue", "values", ReadValue)),
                "type_value" => new ExpectedValue.TypeValue(String(field)),
                _ => throw UnknownField(field, "cel.expr.Value"),
            };
            check.Add(field);
        }

        return value ?? throw Error(message.Position, "cel.expr.Value has no kind set");
    }

    private ExpectedValue.NullValue NullValue(TextField field)
    {
        EnumNumber(field, "google.protobuf.NullValue", NullValueNames);
        return new ExpectedValue.NullValue();
    }

    private ExpectedValue.EnumValue ReadEnumValue(TextField holder)
    {
        var check = FieldCheck.For(this, "cel.expr.EnumValue");
        var type = "";
        var number = 0;
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "type": type = String(field); break;
                case "value": number = Int32(field); break;
                default: throw UnknownField(field, "cel.expr.EnumValue");
            }

            check.Add(field);
        }

        return new ExpectedValue.EnumValue(type, number);
    }

    private ExpectedValue.MapEntry ReadMapEntry(TextField holder)
    {
        var check = FieldCheck.For(this, "cel.expr.MapValue.Entry");
        ExpectedValue? key = null, value = null;
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "key": key = ReadValue(field); break;
                case "value": value = ReadValue(field); break;
                default: throw UnknownField(field, "cel.expr.MapValue.Entry");
            }

            check.Add(field);
        }

        return key is not null && value is not null
            ? new ExpectedValue.MapEntry(key, value)
            : throw Error(holder.Value.Position, $"map entry has no {(key is null ? "key" : "value")}");
    }

    /// <summary>
    /// A <c>google.protobuf.Any</c>: either the expansion <c>[type.googleapis.com/pkg.Msg] { ... }</c>,
    /// kept as a raw tree, or <c>type_url</c> with serialized <c>value</c> bytes. Mixing the two is an error.
    /// </summary>
    private ExpectedValue.ObjectValue ReadAny(TextField holder)
    {
        var message = Message(holder);
        var check = FieldCheck.For(this, "google.protobuf.Any");
        TextField? expansion = null;
        string? typeUrl = null;
        byte[]? encoded = null;
        foreach (var field in message.Fields)
        {
            switch (field.Kind == TextFieldKind.Any ? "[expansion]" : Key(field))
            {
                case "[expansion]" when expansion is null: expansion = field; break;
                case "[expansion]": throw Error(field.Position, $"google.protobuf.Any holds one message, but [{expansion.Name}] at {expansion.Position} came first");
                case "type_url": typeUrl = String(field); break;
                case "value": encoded = Bytes(field); break;
                default: throw UnknownField(field, "google.protobuf.Any");
            }

            check.Add(field);
        }

        if (expansion is not null)
        {
            return typeUrl is null && encoded is null
                ? new ExpectedValue.ObjectValue(expansion.Name, Message(expansion), null)
                : throw Error(expansion.Position, "google.protobuf.Any mixes an expansion with type_url/value");
        }

        return typeUrl is not null
            ? new ExpectedValue.ObjectValue(typeUrl, null, encoded ?? [])
            : throw Error(message.Position, "google.protobuf.Any has neither an expansion nor a type_url");
    }
}
