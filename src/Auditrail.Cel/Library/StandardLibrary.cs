using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library;

/// <summary>
/// CEL's standard functions: arithmetic with overflow errors, size, string predicates, regular
/// expressions (linear time), conversions, and the optional type's functions. Equality, ordering,
/// <c>in</c>, indexing and the logical operators are compiled directly, not dispatched.
/// </summary>
public static class StandardLibrary
{
    private static readonly CelType A = CelType.Param("A");
    private static readonly CelType B = CelType.Param("B");
    private static readonly CelType ListA = CelType.List(A);
    private static readonly CelType MapAB = CelType.Map(A, B);

    public static void Register(FunctionRegistry r)
    {
        RegisterArithmetic(r);
        RegisterSize(r);
        RegisterStrings(r);
        RegisterConversions(r);
        RegisterOptionals(r);
        TimeLibrary.Register(r);
    }

    private static void RegisterArithmetic(FunctionRegistry r)
    {
        r.Global("_+_", Int, [Int, Int], a => Checked(() => checked(a[0].AsInt + a[1].AsInt)));
        r.Global("_+_", Uint, [Uint, Uint], a => CheckedU(() => checked(a[0].AsUint + a[1].AsUint)));
        r.Global("_+_", Dbl, [Dbl, Dbl], a => CelValue.Double(a[0].AsDouble + a[1].AsDouble));
        r.Global("_+_", Str, [Str, Str], a => CelValue.String(a[0].AsString + a[1].AsString));
        r.Global("_+_", Bytes, [Bytes, Bytes], a => CelValue.Bytes([.. a[0].AsBytes, .. a[1].AsBytes]));
        r.Global("_+_", ListA, [ListA, ListA], a => Concat(a[0].AsList, a[1].AsList));
        r.Global("_-_", Int, [Int, Int], a => Checked(() => checked(a[0].AsInt - a[1].AsInt)));
        r.Global("_-_", Uint, [Uint, Uint], a => CheckedU(() => checked(a[0].AsUint - a[1].AsUint)));
        r.Global("_-_", Dbl, [Dbl, Dbl], a => CelValue.Double(a[0].AsDouble - a[1].AsDouble));
        r.Global("_*_", Int, [Int, Int], a => Checked(() => checked(a[0].AsInt * a[1].AsInt)));
        r.Global("_*_", Uint, [Uint, Uint], a => CheckedU(() => checked(a[0].AsUint * a[1].AsUint)));
        r.Global("_*_", Dbl, [Dbl, Dbl], a => CelValue.Double(a[0].AsDouble * a[1].AsDouble));
        r.Global("_/_", Int, [Int, Int], a => a[1].AsInt == 0 ? CelValue.Error("division by zero") : Checked(() => checked(a[0].AsInt / a[1].AsInt)));
        r.Global("_/_", Uint, [Uint, Uint], a => a[1].AsUint == 0 ? CelValue.Error("division by zero") : CelValue.Uint(a[0].AsUint / a[1].AsUint));
        r.Global("_/_", Dbl, [Dbl, Dbl], a => CelValue.Double(a[0].AsDouble / a[1].AsDouble));
        r.Global("_%_", Int, [Int, Int], a => a[1].AsInt == 0 ? CelValue.Error("modulus by zero") : Checked(() => checked(a[0].AsInt % a[1].AsInt)));
        r.Global("_%_", Uint, [Uint, Uint], a => a[1].AsUint == 0 ? CelValue.Error("modulus by zero") : CelValue.Uint(a[0].AsUint % a[1].AsUint));
        r.Global("-_", Int, [Int], a => Checked(() => checked(-a[0].AsInt)));
        r.Global("-_", Dbl, [Dbl], a => CelValue.Double(-a[0].AsDouble));
        r.Global("!_", Bool, [Bool], a => CelValue.Bool(!a[0].AsBool));
    }

    private static void RegisterSize(FunctionRegistry r)
    {
        foreach (var member in new[] { false, true })
        {
            Action<string, CelType, CelType[], Func<CelValue[], CelValue>, bool> add = member
                ? (n, res, p, f, pure) => r.Member(n, res, p, f, pure)
                : (n, res, p, f, pure) => r.Global(n, res, p, f, pure);
            add("size", Int, [Str], a => CelValue.Int(Values.CodePointCount(a[0].AsString)), true);
            add("size", Int, [Bytes], a => CelValue.Int(a[0].AsBytes.Length), true);
            add("size", Int, [ListA], a => CelValue.Int(a[0].AsList.Count), true);
            add("size", Int, [MapAB], a => CelValue.Int(a[0].AsMap.Count), true);
        }
    }

    private static void RegisterStrings(FunctionRegistry r)
    {
        r.Member("contains", Bool, [Str, Str], a => CelValue.Bool(a[0].AsString.Contains(a[1].AsString, StringComparison.Ordinal)));
        r.Member("startsWith", Bool, [Str, Str], a => CelValue.Bool(a[0].AsString.StartsWith(a[1].AsString, StringComparison.Ordinal)));
        r.Member("endsWith", Bool, [Str, Str], a => CelValue.Bool(a[0].AsString.EndsWith(a[1].AsString, StringComparison.Ordinal)));
        r.Member("matches", Bool, [Str, Str], a => Matches(a[0].AsString, a[1].AsString));
        r.Global("matches", Bool, [Str, Str], a => Matches(a[0].AsString, a[1].AsString));
    }

    private static void RegisterConversions(FunctionRegistry r)
    {
        r.Global("int", Int, [Int], a => a[0]);
        r.Global("int", Int, [Uint], a => a[0].AsUint > long.MaxValue ? RangeError("int") : CelValue.Int((long)a[0].AsUint));
        r.Global("int", Int, [Dbl], a => DoubleToInt(a[0].AsDouble));
        r.Global("int", Int, [Str], a => long.TryParse(a[0].AsString, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? CelValue.Int(v) : CelValue.Error($"cannot convert \"{a[0].AsString}\" to int"));
        r.Global("int", Int, [Timestamp], a => CelValue.Int(a[0].AsTimestamp.Seconds));
        r.Global("uint", Uint, [Uint], a => a[0]);
        r.Global("uint", Uint, [Int], a => a[0].AsInt < 0 ? RangeError("uint") : CelValue.Uint((ulong)a[0].AsInt));
        r.Global("uint", Uint, [Dbl], a => DoubleToUint(a[0].AsDouble));
        r.Global("uint", Uint, [Str], a => ulong.TryParse(a[0].AsString, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? CelValue.Uint(v) : CelValue.Error($"cannot convert \"{a[0].AsString}\" to uint"));
        r.Global("double", Dbl, [Dbl], a => a[0]);
        r.Global("double", Dbl, [Int], a => CelValue.Double(a[0].AsInt));
        r.Global("double", Dbl, [Uint], a => CelValue.Double(a[0].AsUint));
        r.Global("double", Dbl, [Str], a => ParseDouble(a[0].AsString));
        r.Global("string", Str, [Str], a => a[0]);
        r.Global("string", Str, [Int], a => CelValue.String(a[0].AsInt.ToString(CultureInfo.InvariantCulture)));
        r.Global("string", Str, [Uint], a => CelValue.String(a[0].AsUint.ToString(CultureInfo.InvariantCulture)));
        r.Global("string", Str, [Dbl], a => CelValue.String(FormatDouble(a[0].AsDouble)));
        r.Global("string", Str, [Bool], a => CelValue.String(a[0].AsBool ? "true" : "false"));
        r.Global("string", Str, [Bytes], a => BytesToString(a[0].AsBytes));
        r.Global("string", Str, [Timestamp], a => CelValue.String(a[0].AsTimestamp.ToString()));
        r.Global("string", Str, [Duration], a => CelValue.String(a[0].AsDuration.ToString()));
        r.Global("bytes", Bytes, [Bytes], a => a[0]);
        r.Global("bytes", Bytes, [Str], a => CelValue.Bytes(Encoding.UTF8.GetBytes(a[0].AsString)));
        r.Global("bool", Bool, [Bool], a => a[0]);
        r.Global("bool", Bool, [Str], a => ParseBool(a[0].AsString));
        r.Global("dyn", Dyn, [A], a => a[0]);
        r.Global("type", CelType.TypeOf(A), [A], a => CelValue.Type(a[0].RuntimeType));
    }

    private static void RegisterOptionals(FunctionRegistry r)
    {
        var optionalA = CelType.Optional(A);
        r.Global("optional.of", optionalA, [A], a => CelValue.Optional(CelOptional.Of(a[0])));
        r.Global("optional.none", optionalA, [], _ => CelValue.Optional(CelOptional.None));
        r.Global("optional.ofNonZeroValue", optionalA, [A], a => CelValue.Optional(IsZero(a[0]) ? CelOptional.None : CelOptional.Of(a[0])));
        r.Member("hasValue", Bool, [optionalA], a => CelValue.Bool(a[0].AsOptional.HasValue));
        r.Member("value", A, [optionalA], a => a[0].AsOptional.HasValue ? a[0].AsOptional.Value : CelValue.Error("optional.none() dereference"));
        r.Member("orValue", A, [optionalA, A], a => a[0].AsOptional.HasValue ? a[0].AsOptional.Value : a[1]);
        r.Member("or", optionalA, [optionalA, optionalA], a => a[0].AsOptional.HasValue ? a[0] : a[1]);
    }

    /// <summary>The zero value of each kind, for optional.ofNonZeroValue.</summary>
    private static bool IsZero(CelValue value) => value.Kind switch
    {
        CelKind.Null => true,
        CelKind.Bool => !value.AsBool,
        CelKind.Int => value.AsInt == 0,
        CelKind.Uint => value.AsUint == 0,
        CelKind.Double => value.AsDouble == 0,
        CelKind.String => value.AsString.Length == 0,
        CelKind.Bytes => value.AsBytes.Length == 0,
        CelKind.List => value.AsList.Count == 0,
        CelKind.Map => value.AsMap.Count == 0,
        CelKind.Duration => value.AsDuration.TotalNanos == 0,
        CelKind.Timestamp => value.AsTimestamp == default,
        _ => false,
    };

    public static CelValue Concat(ICelList left, ICelList right)
    {
        var items = new CelValue[left.Count + right.Count];
        for (var i = 0; i < left.Count; i++)
        {
            items[i] = left[i];
        }

        for (var i = 0; i < right.Count; i++)
        {
            items[left.Count + i] = right[i];
        }

        return CelValue.List(items);
    }

    private static CelValue Checked(Func<long> op)
    {
        try
        {
            return CelValue.Int(op());
        }
        catch (OverflowException)
        {
            return CelValue.Error("return error for overflow");
        }
    }

    private static CelValue CheckedU(Func<ulong> op)
    {
        try
        {
            return CelValue.Uint(op());
        }
        catch (OverflowException)
        {
            return CelValue.Error("return error for overflow");
        }
    }

    private static CelValue RangeError(string type) => CelValue.Error($"range error converting to {type}");

    private static CelValue DoubleToInt(double d)
    {
        // Values at or beyond ±2^63 are out of range, the boundary -2^63 included (as cel-go decides).
        if (double.IsNaN(d) || d <= -9.2233720368547758E18 || d >= 9.2233720368547758E18)
        {
            return RangeError("int");
        }

        return CelValue.Int((long)Math.Truncate(d));
    }

    private static CelValue DoubleToUint(double d) =>
        double.IsNaN(d) || d < 0 || d >= 1.8446744073709552E19 ? RangeError("uint") : CelValue.Uint((ulong)Math.Truncate(d));

    private static CelValue ParseDouble(string text)
    {
        var normalized = text.Trim() switch
        {
            "Infinity" or "+Infinity" or "inf" or "+inf" => "Infinity",
            "-Infinity" or "-inf" => "-Infinity",
            "NaN" or "nan" => "NaN",
            var other => other,
        };
        return double.TryParse(normalized, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? CelValue.Double(value)
            : CelValue.Error($"cannot convert \"{text}\" to double");
    }

    /// <summary>Shortest text that reads back as the same double, as CEL implementations print it.</summary>
    public static string FormatDouble(double d)
    {
        if (double.IsPositiveInfinity(d))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(d))
        {
            return "-Inf";
        }

        if (double.IsNaN(d))
        {
            return "NaN";
        }

        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);
    }

    private static CelValue BytesToString(byte[] bytes) =>
        System.Text.Unicode.Utf8.IsValid(bytes) ? CelValue.String(Encoding.UTF8.GetString(bytes)) : CelValue.Error("invalid UTF-8 in bytes, cannot convert to string");

    private static CelValue ParseBool(string text) => text switch
    {
        "1" or "t" or "true" or "TRUE" or "True" => CelValue.True,
        "0" or "f" or "false" or "FALSE" or "False" => CelValue.False,
        _ => CelValue.Error($"cannot convert \"{text}\" to bool"),
    };

    /// <summary>
    /// RE2 semantics need a linear-time engine: .NET's NonBacktracking has no catastrophic backtracking.
    /// Compiled patterns are cached, since rules use the same few patterns on every event.
    /// </summary>
    public static CelValue Matches(string text, string pattern) =>
        RegexCache.TryGet(pattern, out var regex, out var error) ? CelValue.Bool(regex.IsMatch(text)) : CelValue.Error(error!);
}

/// <summary>Compiled regular expressions by pattern, bounded so hostile inputs cannot grow it without end.</summary>
public static class RegexCache
{
    private const int Capacity = 4096;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Regex? Regex, string? Error)> Cache = new(StringComparer.Ordinal);

    public static bool TryGet(string pattern, out Regex regex, out string? error)
    {
        if (!Cache.TryGetValue(pattern, out var entry))
        {
            entry = Compile(pattern);
            if (Cache.Count < Capacity)
            {
                Cache[pattern] = entry;
            }
        }

        regex = entry.Regex!;
        error = entry.Error;
        return entry.Regex is not null;
    }

    private static (Regex?, string?) Compile(string pattern)
    {
        try
        {
            // RE2 has no backreferences or lookaround; NonBacktracking rejects them too, with a clear message.
            return (new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), null);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return (null, $"invalid regular expression '{pattern}': {ex.Message}");
        }
    }
}
