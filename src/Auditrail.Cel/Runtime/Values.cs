using System.Text;

namespace Auditrail.Cel.Runtime;

/// <summary>CEL's equality and ordering across kinds: numbers compare by value whatever their kind.</summary>
public static class Values
{
    /// <summary>
    /// CEL equality. Numbers are equal across int, uint and double by mathematical value; NaN equals
    /// nothing; lists and maps compare element-wise; values of different kinds are simply unequal.
    /// An error inside a list or map comparison makes the result an error.
    /// </summary>
    public static CelValue Equal(CelValue a, CelValue b)
    {
        if (a.IsErrorOrUnknown)
        {
            return a;
        }

        if (b.IsErrorOrUnknown)
        {
            return b;
        }

        return CelValue.Bool(AreEqual(a, b));
    }

    public static bool AreEqual(CelValue a, CelValue b)
    {
        if (IsNumber(a.Kind) && IsNumber(b.Kind))
        {
            return CompareNumbers(a, b) == 0;
        }

        if (a.Kind != b.Kind)
        {
            return false;
        }

        switch (a.Kind)
        {
            case CelKind.Null:
                return true;
            case CelKind.Bool:
                return a.AsBool == b.AsBool;
            case CelKind.String:
                return string.Equals(a.AsString, b.AsString, StringComparison.Ordinal);
            case CelKind.Bytes:
                return a.AsBytes.AsSpan().SequenceEqual(b.AsBytes);
            case CelKind.Timestamp:
                return a.AsTimestamp == b.AsTimestamp;
            case CelKind.Duration:
                return a.AsDuration.CompareTo(b.AsDuration) == 0;
            case CelKind.Type:
                return a.AsType.Equals(b.AsType);
            case CelKind.Optional:
                var oa = a.AsOptional;
                var ob = b.AsOptional;
                return oa.HasValue == ob.HasValue && (!oa.HasValue || AreEqual(oa.Value, ob.Value));
            case CelKind.List:
                var la = a.AsList;
                var lb = b.AsList;
                if (la.Count != lb.Count)
                {
                    return false;
                }

                for (var i = 0; i < la.Count; i++)
                {
                    if (!AreEqual(la[i], lb[i]))
                    {
                        return false;
                    }
                }

                return true;
            case CelKind.Map:
                var ma = a.AsMap;
                var mb = b.AsMap;
                if (ma.Count != mb.Count)
                {
                    return false;
                }

                foreach (var (key, value) in ma.Entries)
                {
                    if (!mb.TryGet(key, out var other) || !AreEqual(value, other))
                    {
                        return false;
                    }
                }

                return true;
            case CelKind.Object:
                var fa = a.AsObject;
                var fb = b.AsObject;
                return fa.Type.Equals(fb.Type) && Equals(fa.Value, fb.Value) && fa.Fields.Count == fb.Fields.Count
                    && fa.Fields.All(f => fb.Fields.TryGetValue(f.Key, out var v) && AreEqual(f.Value, v));
            default:
                return false;
        }
    }

    /// <summary>
    /// A hash consistent with <see cref="AreEqual"/>: numbers that compare equal across int, uint and
    /// double hash alike, so hashed sets and maps can use CEL equality.
    /// </summary>
    public static int Hash(CelValue value) => value.Kind switch
    {
        CelKind.Int => value.AsInt.GetHashCode(),
        CelKind.Uint => value.AsUint <= long.MaxValue ? ((long)value.AsUint).GetHashCode() : value.AsUint.GetHashCode(),
        CelKind.Double => IntegralHash(value.AsDouble),
        CelKind.String => StringComparer.Ordinal.GetHashCode(value.AsString),
        CelKind.Bool => value.AsBool ? 1 : 0,
        CelKind.Bytes => value.AsBytes.Length,
        CelKind.Timestamp => value.AsTimestamp.GetHashCode(),
        CelKind.Duration => value.AsDuration.TotalNanos.GetHashCode(),
        CelKind.Type => value.AsType.GetHashCode(),
        CelKind.List => HashCode.Combine(CelKind.List, value.AsList.Count),
        CelKind.Map => HashCode.Combine(CelKind.Map, value.AsMap.Count),
        CelKind.Object => HashCode.Combine(value.AsObject.Type, value.AsObject.Value),
        _ => (int)value.Kind,
    };

    // Integral doubles hash as the long they equal, so 1.0 meets 1 and 1u.
    private static int IntegralHash(double d) =>
        d == Math.Floor(d) && d is >= -9.2233720368547758E18 and < 9.2233720368547758E18 ? ((long)d).GetHashCode() : d.GetHashCode();

    public static bool IsNumber(CelKind kind) => kind is CelKind.Int or CelKind.Uint or CelKind.Double;

    /// <summary>Orders two numbers of any kinds exactly (no rounding of large ints through double); NaN is unordered (returns int.MinValue).</summary>
    public static int CompareNumbers(CelValue a, CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                return a.AsInt.CompareTo(b.AsInt);
            case (CelKind.Uint, CelKind.Uint):
                return a.AsUint.CompareTo(b.AsUint);
            case (CelKind.Int, CelKind.Uint):
                return a.AsInt < 0 ? -1 : ((ulong)a.AsInt).CompareTo(b.AsUint);
            case (CelKind.Uint, CelKind.Int):
                return b.AsInt < 0 ? 1 : a.AsUint.CompareTo((ulong)b.AsInt);
            case (CelKind.Double, CelKind.Double):
                return CompareDoubles(a.AsDouble, b.AsDouble);
            case (CelKind.Double, _):
                return CompareDoubleToInteger(a.AsDouble, b);
            default:
                var reversed = CompareDoubleToInteger(b.AsDouble, a);
                return reversed == int.MinValue ? reversed : -reversed;
        }
    }

    private static int CompareDoubles(double x, double y) =>
        double.IsNaN(x) || double.IsNaN(y) ? int.MinValue : x.CompareTo(y);

    /// <summary>
    /// Mixed double/integer ordering converts the integer to double, as cel-go does, so
    /// 9223372036854775807 and 9223372036854775808.0 compare equal (the conformance suite expects it).
    /// </summary>
    private static int CompareDoubleToInteger(double d, CelValue integer)
    {
        if (double.IsNaN(d))
        {
            return int.MinValue;
        }

        double other = integer.Kind == CelKind.Int ? integer.AsInt : integer.AsUint;
        return d.CompareTo(other);
    }

    /// <summary>CEL ordering; an error for kinds that are not ordered or not comparable with each other.</summary>
    public static CelValue Compare(CelValue a, CelValue b, out int order)
    {
        order = 0;
        if (a.IsErrorOrUnknown)
        {
            return a;
        }

        if (b.IsErrorOrUnknown)
        {
            return b;
        }

        if (IsNumber(a.Kind) && IsNumber(b.Kind))
        {
            order = CompareNumbers(a, b);
            return CelValue.True;
        }

        if (a.Kind != b.Kind)
        {
            return NoOverload("ordering", a, b);
        }

        switch (a.Kind)
        {
            case CelKind.Bool:
                order = a.AsBool.CompareTo(b.AsBool);
                return CelValue.True;
            case CelKind.String:
                order = Math.Sign(string.CompareOrdinal(a.AsString, b.AsString));
                return CelValue.True;
            case CelKind.Bytes:
                order = Math.Sign(a.AsBytes.AsSpan().SequenceCompareTo(b.AsBytes));
                return CelValue.True;
            case CelKind.Timestamp:
                order = a.AsTimestamp.CompareTo(b.AsTimestamp);
                return CelValue.True;
            case CelKind.Duration:
                order = a.AsDuration.CompareTo(b.AsDuration);
                return CelValue.True;
            default:
                return NoOverload("ordering", a, b);
        }
    }

    public static CelValue NoOverload(string function, params CelValue[] args) =>
        CelValue.Error($"no such overload: {function}({string.Join(", ", args.Select(a => a.RuntimeType.Display))})");

    /// <summary>Size of a string in code points, as CEL counts it.</summary>
    public static long CodePointCount(string text)
    {
        long count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

/// <summary>CEL equality as an <see cref="IEqualityComparer{T}"/>, for map keys and hashed sets of values.</summary>
public sealed class CelValueComparer : IEqualityComparer<CelValue>
{
    public static readonly CelValueComparer Instance = new();

    public bool Equals(CelValue x, CelValue y) => Values.AreEqual(x, y);

    public int GetHashCode(CelValue value) => Values.Hash(value);
}
