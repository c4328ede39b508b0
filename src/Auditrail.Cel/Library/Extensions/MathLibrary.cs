using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// cel-go's <c>ext.Math</c>: <c>math.greatest/least</c> over numbers of mixed
/// kinds (one list, or one to many arguments; three or more are gathered into a list by a macro),
/// rounding, <c>abs</c>, <c>sign</c>, the float tests, bit operations on int and uint, and <c>sqrt</c>.
/// </summary>
/// <remarks>
/// Functions that take a double take only a double: <c>math.ceil(dyn(1))</c> is "no such overload",
/// as in cel-go, rather than a silent conversion.
/// </remarks>
public static class MathLibrary
{
    private static readonly CelType[] Numbers = [Int, Uint, Dbl];

    public static void Register(FunctionRegistry r)
    {
        RegisterExtremes(r, "math.greatest", sign: 1);
        RegisterExtremes(r, "math.least", sign: -1);

        r.Global("math.ceil", Dbl, [Dbl], a => CelValue.Double(Math.Ceiling(a[0].AsDouble)));
        r.Global("math.floor", Dbl, [Dbl], a => CelValue.Double(Math.Floor(a[0].AsDouble)));
        // Go's math.Round: halves go away from zero (-1.5 → -2), not to even.
        r.Global("math.round", Dbl, [Dbl], a => CelValue.Double(Math.Round(a[0].AsDouble, MidpointRounding.AwayFromZero)));
        r.Global("math.trunc", Dbl, [Dbl], a => CelValue.Double(Math.Truncate(a[0].AsDouble)));
        r.Global("math.isInf", Bool, [Dbl], a => CelValue.Bool(double.IsInfinity(a[0].AsDouble)));
        r.Global("math.isNaN", Bool, [Dbl], a => CelValue.Bool(double.IsNaN(a[0].AsDouble)));
        r.Global("math.isFinite", Bool, [Dbl], a => CelValue.Bool(double.IsFinite(a[0].AsDouble)));

        // -(2^63) has no positive int; cel-go reports overflow rather than wrapping.
        r.Global("math.abs", Int, [Int], a => a[0].AsInt == long.MinValue ? CelValue.Error("integer overflow") : CelValue.Int(Math.Abs(a[0].AsInt)));
        r.Global("math.abs", Uint, [Uint], a => a[0]);
        r.Global("math.abs", Dbl, [Dbl], a => CelValue.Double(Math.Abs(a[0].AsDouble)));
        r.Global("math.sign", Int, [Int], a => CelValue.Int(Math.Sign(a[0].AsInt)));
        r.Global("math.sign", Uint, [Uint], a => CelValue.Uint(a[0].AsUint == 0 ? 0UL : 1UL));
        // NaN and ±0 are their own sign, as in cel-go; Math.Sign would throw on NaN.
        r.Global("math.sign", Dbl, [Dbl], a => a[0].AsDouble is 0 or double.NaN ? a[0] : CelValue.Double(a[0].AsDouble > 0 ? 1 : -1));
        foreach (var type in Numbers)
        {
            r.Global("math.sqrt", Dbl, [type], a => CelValue.Double(Math.Sqrt(AsDouble(a[0]))));
        }

        RegisterBits(r);
    }

    private static void RegisterBits(FunctionRegistry r)
    {
        r.Global("math.bitAnd", Int, [Int, Int], a => CelValue.Int(a[0].AsInt & a[1].AsInt));
        r.Global("math.bitAnd", Uint, [Uint, Uint], a => CelValue.Uint(a[0].AsUint & a[1].AsUint));
        r.Global("math.bitOr", Int, [Int, Int], a => CelValue.Int(a[0].AsInt | a[1].AsInt));
        r.Global("math.bitOr", Uint, [Uint, Uint], a => CelValue.Uint(a[0].AsUint | a[1].AsUint));
        r.Global("math.bitXor", Int, [Int, Int], a => CelValue.Int(a[0].AsInt ^ a[1].AsInt));
        r.Global("math.bitXor", Uint, [Uint, Uint], a => CelValue.Uint(a[0].AsUint ^ a[1].AsUint));
        r.Global("math.bitNot", Int, [Int], a => CelValue.Int(~a[0].AsInt));
        r.Global("math.bitNot", Uint, [Uint], a => CelValue.Uint(~a[0].AsUint));

        // .NET masks the shift count to 6 bits (1 << 64 == 1); Go shifts everything out. Shifts of 64
        // or more therefore give 0, or -1 for a negative int shifted right (the sign fills in).
        r.Global("math.bitShiftLeft", Int, [Int, Int], a => Shift("math.bitShiftLeft", a[1].AsInt, n => CelValue.Int(n > 63 ? 0 : a[0].AsInt << (int)n)));
        r.Global("math.bitShiftLeft", Uint, [Uint, Int], a => Shift("math.bitShiftLeft", a[1].AsInt, n => CelValue.Uint(n > 63 ? 0 : a[0].AsUint << (int)n)));
        r.Global("math.bitShiftRight", Int, [Int, Int], a => Shift("math.bitShiftRight", a[1].AsInt, n => CelValue.Int(a[0].AsInt >> (int)Math.Min(n, 63))));
        r.Global("math.bitShiftRight", Uint, [Uint, Int], a => Shift("math.bitShiftRight", a[1].AsInt, n => CelValue.Uint(n > 63 ? 0 : a[0].AsUint >> (int)n)));
    }

    private static CelValue Shift(string function, long offset, Func<long, CelValue> shift) =>
        offset < 0 ? CelValue.Error($"{function}() negative offset: {offset}") : shift(offset);

    /// <summary>
    /// One argument (a number, or a list of numbers) and every pair of number kinds. A pair of one kind
    /// keeps that kind; a mixed pair is dyn, since which argument wins is only known at runtime.
    /// </summary>
    private static void RegisterExtremes(FunctionRegistry r, string name, int sign)
    {
        foreach (var type in Numbers)
        {
            r.Global(name, type, [type], a => a[0]);
            r.Global(name, type, [CelType.List(type)], a => Extreme(name, a[0].AsList, sign));
            foreach (var other in Numbers)
            {
                r.Global(name, type.Equals(other) ? type : Dyn, [type, other], a => Extreme(name, a, sign));
            }
        }

        r.Global(name, Dyn, [CelType.List(Dyn)], a => Extreme(name, a[0].AsList, sign));
    }

    /// <summary>The greatest (sign 1) or least (sign -1) number; the first of equal ones wins, so the result keeps its kind.</summary>
    private static CelValue Extreme(string name, IEnumerable<CelValue> values, int sign)
    {
        CelValue? best = null;
        foreach (var value in values)
        {
            if (!Values.IsNumber(value.Kind))
            {
                return Values.NoOverload(name, value);
            }

            var order = best is { } current ? Values.CompareNumbers(value, current) : sign;
            if (order != int.MinValue && order * sign > 0)
            {
                best = value;
            }
        }

        return best ?? CelValue.Error($"{name}(list) argument must not be empty");
    }

    private static double AsDouble(CelValue number) => number.Kind switch
    {
        CelKind.Int => number.AsInt,
        CelKind.Uint => number.AsUint,
        _ => number.AsDouble,
    };
}
