namespace Auditrail.Cel.Conformance;

/// <summary>
/// A CEL type as a conformance test states it: <c>cel.expr.Type</c> (cel-spec
/// proto/cel/expr/checked.proto), one record per member of its <c>type_kind</c> oneof. Used for
/// <c>type_env</c> declarations and <c>typed_result.deduced_type</c>.
/// <see cref="ToString"/> gives CEL's spelling (<c>map(string, int)</c>).
/// </summary>
public abstract record ExpectedType
{
    private protected ExpectedType()
    {
    }

    /// <summary><c>Type.PrimitiveType</c>, with the proto's numbers.</summary>
    public enum PrimitiveKind
    {
        Unspecified = 0,
        Bool = 1,
        Int64 = 2,
        Uint64 = 3,
        Double = 4,
        String = 5,
        Bytes = 6,
    }

    /// <summary><c>Type.WellKnownType</c>, with the proto's numbers.</summary>
    public enum WellKnownKind
    {
        Unspecified = 0,
        Any = 1,
        Timestamp = 2,
        Duration = 3,
    }

    /// <summary><c>dyn</c>.</summary>
    public sealed record DynType : ExpectedType;

    /// <summary><c>null</c>: the type of <c>null</c>.</summary>
    public sealed record NullType : ExpectedType;

    /// <summary><c>primitive</c>.</summary>
    public sealed record PrimitiveType(PrimitiveKind Kind) : ExpectedType;

    /// <summary><c>wrapper</c>: a <c>google.protobuf.*Value</c> wrapper of a primitive.</summary>
    public sealed record WrapperType(PrimitiveKind Kind) : ExpectedType;

    /// <summary><c>well_known</c>.</summary>
    public sealed record WellKnownType(WellKnownKind Kind) : ExpectedType;

    /// <summary><c>list_type</c>.</summary>
    public sealed record ListType(ExpectedType ElemType) : ExpectedType;

    /// <summary><c>map_type</c>.</summary>
    public sealed record MapType(ExpectedType KeyType, ExpectedType ValueType) : ExpectedType;

    /// <summary><c>function</c>.</summary>
    public sealed record FunctionType(ExpectedType ResultType, IReadOnlyList<ExpectedType> ArgTypes) : ExpectedType
    {
        public bool Equals(FunctionType? other) =>
            other is not null && ResultType == other.ResultType && StructuralEquality.ListEquals(ArgTypes, other.ArgTypes);

        public override int GetHashCode() => HashCode.Combine(ResultType, StructuralEquality.ListHash(ArgTypes));
    }

    /// <summary><c>message_type</c>: a message's full name.</summary>
    public sealed record MessageType(string Name) : ExpectedType;

    /// <summary><c>type_param</c>: a type parameter's name.</summary>
    public sealed record TypeParamType(string Name) : ExpectedType;

    /// <summary>
    /// <c>type</c>: the type of a type value. <see cref="Target"/> is null when the nested Type is
    /// empty, which is how checkers spell the unparameterized <c>type</c>.
    /// </summary>
    public sealed record TypeType(ExpectedType? Target) : ExpectedType;

    /// <summary><c>error</c>.</summary>
    public sealed record ErrorType : ExpectedType;

    /// <summary><c>abstract_type</c>: an application-defined type such as <c>optional_type(int)</c>.</summary>
    public sealed record AbstractType(string Name, IReadOnlyList<ExpectedType> ParameterTypes) : ExpectedType
    {
        public bool Equals(AbstractType? other) =>
            other is not null && Name == other.Name && StructuralEquality.ListEquals(ParameterTypes, other.ParameterTypes);

        public override int GetHashCode() => HashCode.Combine(Name, StructuralEquality.ListHash(ParameterTypes));
    }

    public sealed override string ToString() => this switch
    {
        DynType => "dyn",
        NullType => "null_type",
        PrimitiveType p => CelName(p.Kind),
        WrapperType w => $"wrapper({CelName(w.Kind)})",
        WellKnownType { Kind: WellKnownKind.Any } => "google.protobuf.Any",
        WellKnownType { Kind: WellKnownKind.Timestamp } => "google.protobuf.Timestamp",
        WellKnownType { Kind: WellKnownKind.Duration } => "google.protobuf.Duration",
        WellKnownType => "well_known_unspecified",
        ListType l => $"list({l.ElemType})",
        MapType m => $"map({m.KeyType}, {m.ValueType})",
        FunctionType f => $"({string.Join(", ", f.ArgTypes)}) -> {f.ResultType}",
        MessageType m => m.Name,
        TypeParamType t => t.Name,
        TypeType { Target: null } => "type",
        TypeType t => $"type({t.Target})",
        ErrorType => "*error*",
        AbstractType { ParameterTypes.Count: 0 } a => a.Name,
        AbstractType a => $"{a.Name}({string.Join(", ", a.ParameterTypes)})",
        _ => GetType().Name,
    };

    private static string CelName(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool => "bool",
        PrimitiveKind.Int64 => "int",
        PrimitiveKind.Uint64 => "uint",
        PrimitiveKind.Double => "double",
        PrimitiveKind.String => "string",
        PrimitiveKind.Bytes => "bytes",
        _ => "primitive_unspecified",
    };
}
