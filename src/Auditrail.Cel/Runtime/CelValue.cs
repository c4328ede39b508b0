using System.Globalization;
using System.Runtime.CompilerServices;

namespace Auditrail.Cel.Runtime;

/// <summary>The runtime kinds of CEL values.</summary>
public enum CelKind : byte
{
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
    Error,
    Unknown,
}

/// <summary>
/// One CEL value. A struct with a kind, 64 bits and a reference, so scalars (bool, int, uint, double)
/// never allocate; strings, bytes, lists, maps and the rest live behind the reference.
/// </summary>
/// <remarks>Errors are values too: evaluation never throws for CEL errors, so a rule that reads a missing
/// field or divides by zero yields an error value that <c>&amp;&amp;</c> and <c>||</c> can absorb.</remarks>
public readonly struct CelValue
{
    private readonly object? _ref;
    private readonly long _bits;

    private CelValue(CelKind kind, long bits, object? reference)
    {
        Kind = kind;
        _bits = bits;
        _ref = reference;
    }

    public CelKind Kind { get; }

    public static readonly CelValue Null = new(CelKind.Null, 0, null);
    public static readonly CelValue True = new(CelKind.Bool, 1, null);
    public static readonly CelValue False = new(CelKind.Bool, 0, null);

    public static CelValue Bool(bool value) => value ? True : False;
    public static CelValue Int(long value) => new(CelKind.Int, value, null);
    public static CelValue Uint(ulong value) => new(CelKind.Uint, unchecked((long)value), null);
    public static CelValue Double(double value) => new(CelKind.Double, BitConverter.DoubleToInt64Bits(value), null);
    public static CelValue String(string value) => new(CelKind.String, 0, value);
    public static CelValue Bytes(byte[] value) => new(CelKind.Bytes, 0, value);
    public static CelValue List(ICelList value) => new(CelKind.List, 0, value);
    public static CelValue List(IReadOnlyList<CelValue> values) => new(CelKind.List, 0, new ArrayList(values));
    public static CelValue Map(ICelMap value) => new(CelKind.Map, 0, value);
    public static CelValue Timestamp(CelTimestamp value) => new(CelKind.Timestamp, 0, value);
    public static CelValue Duration(CelDuration value) => new(CelKind.Duration, 0, value);
    public static CelValue Type(CelType value) => new(CelKind.Type, 0, value);
    public static CelValue Optional(CelOptional value) => new(CelKind.Optional, 0, value);
    public static CelValue Object(CelObject value) => new(CelKind.Object, 0, value);
    public static CelValue Error(CelError value) => new(CelKind.Error, 0, value);
    public static CelValue Error(string message) => new(CelKind.Error, 0, new CelError(message));
    public static CelValue Unknown(CelUnknown value) => new(CelKind.Unknown, 0, value);

    public bool IsError => Kind == CelKind.Error;
    public bool IsErrorOrUnknown => Kind >= CelKind.Error;

    public bool AsBool => _bits != 0;
    public long AsInt => _bits;
    public ulong AsUint => unchecked((ulong)_bits);
    public double AsDouble => BitConverter.Int64BitsToDouble(_bits);
    public string AsString => (string)_ref!;
    public byte[] AsBytes => (byte[])_ref!;
    public ICelList AsList => (ICelList)_ref!;
    public ICelMap AsMap => (ICelMap)_ref!;
    public CelTimestamp AsTimestamp => (CelTimestamp)_ref!;
    public CelDuration AsDuration => (CelDuration)_ref!;
    public CelType AsType => (CelType)_ref!;
    public CelOptional AsOptional => (CelOptional)_ref!;
    public CelObject AsObject => (CelObject)_ref!;
    public CelError AsError => (CelError)_ref!;
    public CelUnknown AsUnknown => (CelUnknown)_ref!;

    /// <summary>True for a bool true; errors and other kinds are not true (rules match only on a real true).</summary>
    public bool IsTrue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Kind == CelKind.Bool && _bits != 0;
    }

    public CelType RuntimeType => Kind switch
    {
        CelKind.Null => CelType.NullType,
        CelKind.Bool => CelType.Bool,
        CelKind.Int => CelType.Int,
        CelKind.Uint => CelType.Uint,
        CelKind.Double => CelType.Double,
        CelKind.String => CelType.String,
        CelKind.Bytes => CelType.Bytes,
        CelKind.List => CelType.ListOfDyn,
        CelKind.Map => CelType.MapOfDyn,
        CelKind.Timestamp => CelType.Timestamp,
        CelKind.Duration => CelType.Duration,
        CelKind.Type => CelType.TypeType,
        CelKind.Optional => CelType.OptionalOfDyn,
        CelKind.Object => AsObject.Type,
        CelKind.Error => CelType.Error,
        _ => CelType.Dyn,
    };

    public override string ToString() => Kind switch
    {
        CelKind.Null => "null",
        CelKind.Bool => AsBool ? "true" : "false",
        CelKind.Int => AsInt.ToString(CultureInfo.InvariantCulture),
        CelKind.Uint => AsUint.ToString(CultureInfo.InvariantCulture) + "u",
        CelKind.Double => AsDouble.ToString("R", CultureInfo.InvariantCulture),
        CelKind.String => Quote(AsString),
        CelKind.Bytes => "b" + Quote(System.Text.Encoding.UTF8.GetString(AsBytes)),
        CelKind.List => "[" + string.Join(", ", AsList.Select(v => v.ToString())) + "]",
        CelKind.Map => "{" + string.Join(", ", AsMap.Entries.Select(e => $"{e.Key}: {e.Value}")) + "}",
        _ => _ref?.ToString() ?? Kind.ToString(),
    };

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A list over an array or list of values.</summary>
    private sealed class ArrayList(IReadOnlyList<CelValue> values) : ICelList
    {
        public int Count => values.Count;
        public CelValue this[int index] => values[index];
    }
}

/// <summary>A CEL error: a message, and for error matching, nothing else.</summary>
public sealed class CelError(string message)
{
    public string Message { get; } = message;

    public override string ToString() => $"error: {Message}";
}

/// <summary>A value the activation marked as not yet known (partial evaluation).</summary>
public sealed class CelUnknown(IReadOnlyList<long> exprIds)
{
    public IReadOnlyList<long> ExprIds { get; } = exprIds;
}

/// <summary><c>optional(T)</c>: a value, or none.</summary>
public sealed class CelOptional
{
    public static readonly CelOptional None = new(default, false);

    private CelOptional(CelValue value, bool hasValue)
    {
        Value = value;
        HasValue = hasValue;
    }

    public CelValue Value { get; }
    public bool HasValue { get; }

    public static CelOptional Of(CelValue value) => new(value, true);

    public override string ToString() => HasValue ? $"optional({Value})" : "optional.none()";
}

/// <summary>
/// A typed object: a protobuf-like message (fields by name), or an opaque host value such as an IP
/// address or a Kubernetes quantity that only its library's functions look inside.
/// </summary>
public sealed class CelObject
{
    private static readonly IReadOnlyDictionary<string, CelValue> NoFields = new Dictionary<string, CelValue>();

    public CelObject(CelType type, IReadOnlyDictionary<string, CelValue> fields)
    {
        Type = type;
        Fields = fields;
    }

    /// <summary>An opaque value: equality is the value's own <see cref="object.Equals(object)"/>, as cel-go's opaque types compare.</summary>
    public CelObject(CelType type, object value)
    {
        Type = type;
        Fields = NoFields;
        Value = value;
    }

    public CelType Type { get; }
    public IReadOnlyDictionary<string, CelValue> Fields { get; }

    /// <summary>The host value of an opaque object; null for messages.</summary>
    public object? Value { get; }

    public override string ToString() => Value?.ToString() ?? Type.Name;
}

/// <summary>A CEL list: indexable, sized, and lazily backed where it can be (JSON arrays).</summary>
public interface ICelList : IEnumerable<CelValue>
{
    int Count { get; }
    CelValue this[int index] { get; }

    IEnumerator<CelValue> IEnumerable<CelValue>.GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => ((IEnumerable<CelValue>)this).GetEnumerator();
}

/// <summary>A CEL map: lookup by key with CEL's numeric key equivalence, and its entries in a stable order.</summary>
public interface ICelMap
{
    int Count { get; }
    bool TryGet(CelValue key, out CelValue value);
    IEnumerable<KeyValuePair<CelValue, CelValue>> Entries { get; }
}
