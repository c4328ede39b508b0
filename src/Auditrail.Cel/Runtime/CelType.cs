namespace Auditrail.Cel.Runtime;

public enum CelTypeKind : byte
{
    Dyn,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    List,
    Map,
    Timestamp,
    Duration,
    Type,
    Optional,
    Object,
    TypeParam,
    Error,
}

/// <summary>A CEL type, used by the checker and as a runtime value (<c>type(x) == int</c>).</summary>
public sealed class CelType : IEquatable<CelType>
{
    public static readonly CelType Dyn = new(CelTypeKind.Dyn, "dyn");
    public static readonly CelType NullType = new(CelTypeKind.Null, "null_type");
    public static readonly CelType Bool = new(CelTypeKind.Bool, "bool");
    public static readonly CelType Int = new(CelTypeKind.Int, "int");
    public static readonly CelType Uint = new(CelTypeKind.Uint, "uint");
    public static readonly CelType Double = new(CelTypeKind.Double, "double");
    public static readonly CelType String = new(CelTypeKind.String, "string");
    public static readonly CelType Bytes = new(CelTypeKind.Bytes, "bytes");
    public static readonly CelType Timestamp = new(CelTypeKind.Timestamp, "google.protobuf.Timestamp");
    public static readonly CelType Duration = new(CelTypeKind.Duration, "google.protobuf.Duration");
    public static readonly CelType Error = new(CelTypeKind.Error, "*error*");
    public static readonly CelType ListOfDyn = List(Dyn);
    public static readonly CelType MapOfDyn = Map(Dyn, Dyn);
    public static readonly CelType OptionalOfDyn = Optional(Dyn);
    public static readonly CelType TypeType = new(CelTypeKind.Type, "type");

    private CelType(CelTypeKind kind, string name, params CelType[] parameters)
    {
        Kind = kind;
        Name = name;
        Parameters = parameters;
    }

    public CelTypeKind Kind { get; }

    /// <summary>The type's name as <c>type()</c> values compare: <c>list</c>, <c>map</c>, <c>int</c>, a message name.</summary>
    public string Name { get; }

    public IReadOnlyList<CelType> Parameters { get; }

    public CelType ElementType => Kind == CelTypeKind.Map ? Parameters[1] : Parameters.Count > 0 ? Parameters[0] : Dyn;
    public CelType KeyType => Kind == CelTypeKind.Map ? Parameters[0] : Dyn;

    public static CelType List(CelType element) => new(CelTypeKind.List, "list", element);
    public static CelType Map(CelType key, CelType value) => new(CelTypeKind.Map, "map", key, value);
    public static CelType Optional(CelType value) => new(CelTypeKind.Optional, "optional_type", value);
    public static CelType TypeOf(CelType value) => new(CelTypeKind.Type, "type", value);
    public static CelType Object(string messageName) => new(CelTypeKind.Object, messageName);
    public static CelType Param(string name) => new(CelTypeKind.TypeParam, name);

    /// <summary>Runtime type identity is by name (<c>type([1]) == type([\"a\"])</c>: both are <c>list</c>).</summary>
    public bool Equals(CelType? other) => other is not null && Kind == other.Kind && Name == other.Name;

    public override bool Equals(object? obj) => obj is CelType other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, Name);

    /// <summary>Full text with parameters, for messages: <c>list(string)</c>, <c>map(string, dyn)</c>.</summary>
    public string Display => Parameters.Count == 0 || Kind == CelTypeKind.Type && Parameters.Count == 0
        ? Name
        : $"{Name}({string.Join(", ", Parameters.Select(p => p.Display))})";

    public override string ToString() => Name;
}
