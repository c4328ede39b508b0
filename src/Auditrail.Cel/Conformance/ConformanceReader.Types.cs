namespace Auditrail.Cel.Conformance;

/// <summary><c>cel.expr.Type</c> and <c>cel.expr.Decl</c> (checked.proto).</summary>
internal sealed partial class ConformanceReader
{
    private static readonly Dictionary<string, int> PrimitiveNames = new(StringComparer.Ordinal)
    {
        ["PRIMITIVE_TYPE_UNSPECIFIED"] = (int)ExpectedType.PrimitiveKind.Unspecified,
        ["BOOL"] = (int)ExpectedType.PrimitiveKind.Bool,
        ["INT64"] = (int)ExpectedType.PrimitiveKind.Int64,
        ["UINT64"] = (int)ExpectedType.PrimitiveKind.Uint64,
        ["DOUBLE"] = (int)ExpectedType.PrimitiveKind.Double,
        ["STRING"] = (int)ExpectedType.PrimitiveKind.String,
        ["BYTES"] = (int)ExpectedType.PrimitiveKind.Bytes,
    };

    private static readonly Dictionary<string, int> WellKnownNames = new(StringComparer.Ordinal)
    {
        ["WELL_KNOWN_TYPE_UNSPECIFIED"] = (int)ExpectedType.WellKnownKind.Unspecified,
        ["ANY"] = (int)ExpectedType.WellKnownKind.Any,
        ["TIMESTAMP"] = (int)ExpectedType.WellKnownKind.Timestamp,
        ["DURATION"] = (int)ExpectedType.WellKnownKind.Duration,
    };

    private ExpectedType ReadType(TextField holder) =>
        ReadTypeOrEmpty(Message(holder)) ?? throw Error(holder.Value.Position, $"{holder.Name} is a cel.expr.Type with no kind set");

    /// <summary>Null for a Type with no kind: legal only inside <c>type</c>, where it means the bare <c>type</c>.</summary>
    private ExpectedType? ReadTypeOrEmpty(TextMessage message)
    {
        var check = FieldCheck.ForOneof(this, "cel.expr.Type", "type_kind");
        ExpectedType? type = null;
        foreach (var field in message.Fields)
        {
            type = Key(field) switch
            {
                "dyn" => Empty(field, new ExpectedType.DynType()),
                "null" => NullType(field),
                "primitive" => new ExpectedType.PrimitiveType((ExpectedType.PrimitiveKind)EnumNumber(field, "cel.expr.Type.PrimitiveType", PrimitiveNames)),
                "wrapper" => new ExpectedType.WrapperType((ExpectedType.PrimitiveKind)EnumNumber(field, "cel.expr.Type.PrimitiveType", PrimitiveNames)),
                "well_known" => new ExpectedType.WellKnownType((ExpectedType.WellKnownKind)EnumNumber(field, "cel.expr.Type.WellKnownType", WellKnownNames)),
                "list_type" => new ExpectedType.ListType(ReadSingleType(field, "cel.expr.Type.ListType", "elem_type")),
                "map_type" => ReadMapType(field),
                "function" => ReadFunctionType(field),
                "message_type" => new ExpectedType.MessageType(String(field)),
                "type_param" => new ExpectedType.TypeParamType(String(field)),
                "type" => new ExpectedType.TypeType(ReadTypeOrEmpty(Message(field))),
                "error" => Empty(field, new ExpectedType.ErrorType()),
                "abstract_type" => ReadAbstractType(field),
                _ => throw UnknownField(field, "cel.expr.Type"),
            };
            check.Add(field);
        }

        return type;
    }

    private ExpectedType.NullType NullType(TextField field)
    {
        EnumNumber(field, "google.protobuf.NullValue", NullValueNames);
        return new ExpectedType.NullType();
    }

    /// <summary>A message holding one required Type field (ListType's elem_type).</summary>
    private ExpectedType ReadSingleType(TextField holder, string messageType, string fieldName)
    {
        var types = ReadRepeated(holder, messageType, fieldName, ReadType);
        return types.Count == 1
            ? types[0]
            : throw Error(holder.Value.Position, $"{messageType} needs exactly one {fieldName}");
    }

    private ExpectedType.MapType ReadMapType(TextField holder)
    {
        var check = FieldCheck.For(this, "cel.expr.Type.MapType");
        ExpectedType? key = null, value = null;
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "key_type": key = ReadType(field); break;
                case "value_type": value = ReadType(field); break;
                default: throw UnknownField(field, "cel.expr.Type.MapType");
            }

            check.Add(field);
        }

        return key is not null && value is not null
            ? new ExpectedType.MapType(key, value)
            : throw Error(holder.Value.Position, $"map_type has no {(key is null ? "key_type" : "value_type")}");
    }

    private ExpectedType.FunctionType ReadFunctionType(TextField holder)
    {
        var check = FieldCheck.For(this, "cel.expr.Type.FunctionType", "arg_types");
        ExpectedType? result = null;
        var args = new List<ExpectedType>();
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "result_type": result = ReadType(field); break;
                case "arg_types": args.Add(ReadType(field)); break;
                default: throw UnknownField(field, "cel.expr.Type.FunctionType");
            }

            check.Add(field);
        }

        return new ExpectedType.FunctionType(result ?? throw Error(holder.Value.Position, "function type has no result_type"), args);
    }

    private ExpectedType.AbstractType ReadAbstractType(TextField holder)
    {
        var check = FieldCheck.For(this, "cel.expr.Type.AbstractType", "parameter_types");
        var name = "";
        var parameters = new List<ExpectedType>();
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "name": name = String(field); break;
                case "parameter_types": parameters.Add(ReadType(field)); break;
                default: throw UnknownField(field, "cel.expr.Type.AbstractType");
            }

            check.Add(field);
        }

        return new ExpectedType.AbstractType(name, parameters);
    }

    private ConformanceDecl ReadDecl(TextField holder)
    {
        var check = new FieldCheck(this, "cel.expr.Decl", [], "decl_kind", ["ident", "function"]);
        var name = "";
        TextField? ident = null, function = null;
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "name": name = String(field); break;
                case "ident": ident = field; break;
                case "function": function = field; break;
                default: throw UnknownField(field, "cel.expr.Decl");
            }

            check.Add(field);
        }

        // The name may follow the kind in the text, so the kinds are built once all fields are seen.
        if (ident is not null)
        {
            return ReadIdentDecl(ident, name);
        }

        return function is not null
            ? new ConformanceDecl.FunctionDecl(name, Message(function))
            : throw Error(holder.Value.Position, $"declaration '{name}' is neither an ident nor a function");
    }

    private ConformanceDecl.IdentDecl ReadIdentDecl(TextField holder, string name)
    {
        var check = FieldCheck.For(this, "cel.expr.Decl.IdentDecl");
        ExpectedType? type = null;
        TextMessage? value = null;
        var doc = "";
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "type": type = ReadType(field); break;
                case "value": value = Message(field); break;
                case "doc": doc = String(field); break;
                default: throw UnknownField(field, "cel.expr.Decl.IdentDecl");
            }

            check.Add(field);
        }

        return new ConformanceDecl.IdentDecl(name, type ?? throw Error(holder.Value.Position, $"ident '{name}' has no type"), value, doc);
    }
}
