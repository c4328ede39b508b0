using System.Globalization;
using System.Numerics;
using System.Text;
using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// <c>"...".format([args])</c> with cel-go's semantics: clauses <c>%s %d %f %e %b %x %X %o</c>, an
/// optional precision for <c>%f</c> and <c>%e</c>, and <c>%%</c> for a percent sign.
/// </summary>
/// <remarks>
/// Doubles are rounded exactly (half to even on the binary value, as Go's <c>strconv</c> does), not
/// with .NET's formatting, which rounds midpoints away from zero: <c>"%.0f".format([2.5])</c> is "2".
/// The error texts are those of the cel-spec conformance tests.
/// </remarks>
internal static class StringFormatter
{
    private const int DefaultPrecision = 6;

    // cel-go bounds precision too; without a bound "%.999999999f" would build a billion digits.
    private const int MaxPrecision = 1000;

    private const string StringClauseKinds = "strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps";

    public static CelValue Format(string format, ICelList args)
    {
        var builder = new StringBuilder(format.Length + 16);
        var argIndex = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                builder.Append(format[i]);
                continue;
            }

            if (i + 1 < format.Length && format[i + 1] == '%')
            {
                builder.Append('%');
                i++;
                continue;
            }

            if (argIndex >= args.Count)
            {
                return CelValue.Error($"index {argIndex} out of range");
            }

            if (i + 1 >= format.Length)
            {
                return CelValue.Error("unexpected end of string");
            }

            if (!TryParseClause(format, ref i, out var clause, out var precision, out var parseError))
            {
                return CelValue.Error($"could not parse formatting clause: {parseError}");
            }

            var formatted = FormatArgument(clause, precision, args[argIndex]);
            if (formatted.IsError)
            {
                return formatted;
            }

            builder.Append(formatted.AsString);
            argIndex++;
        }

        return CelValue.String(builder.ToString());
    }

    /// <summary>Reads <c>[.digits]verb</c> after the '%' at <paramref name="i"/>, leaving <paramref name="i"/> on the verb.</summary>
    private static bool TryParseClause(string format, ref int i, out char clause, out int precision, out string? error)
    {
        clause = '\0';
        precision = DefaultPrecision;
        error = null;
        i++;
        if (format[i] == '.')
        {
            var start = ++i;
            while (i < format.Length && char.IsAsciiDigit(format[i]))
            {
                i++;
            }

            if (i >= format.Length)
            {
                error = "error while parsing precision: could not find end of precision specifier";
                return false;
            }

            if (i == start)
            {
                error = "error while parsing precision: error while converting precision to integer: no digits";
                return false;
            }

            if (!int.TryParse(format.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out precision) || precision > MaxPrecision)
            {
                error = $"error while parsing precision: precision {format[start..i]} exceeds maximum allowed precision {MaxPrecision}";
                return false;
            }
        }

        clause = format[i];
        if (clause is 's' or 'd' or 'f' or 'e' or 'b' or 'x' or 'X' or 'o')
        {
            return true;
        }

        error = $"unrecognized formatting clause \"{clause}\"";
        return false;
    }

    private static CelValue FormatArgument(char clause, int precision, CelValue arg)
    {
        var text = clause switch
        {
            's' => FormatString(arg, out var formatted) ? formatted : null,
            'd' => Decimal(arg),
            'f' => FloatingPoint(arg, precision, scientific: false),
            'e' => FloatingPoint(arg, precision, scientific: true),
            'b' => Binary(arg),
            'x' => Hex(arg, upper: false),
            'X' => Hex(arg, upper: true),
            _ => Octal(arg),
        };
        return text is null ? CelValue.Error($"error during formatting: {ClauseError(clause, arg)}") : CelValue.String(text);
    }

    private static string ClauseError(char clause, CelValue arg)
    {
        var given = arg.RuntimeType.Name;
        if (clause == 's' && NonFormattable(arg) is { } inner)
        {
            given = inner.RuntimeType.Name;
        }

        return clause switch
        {
            's' => $"string clause can only be used on {StringClauseKinds}, was given {given}",
            'd' => $"decimal clause can only be used on integers, was given {given}",
            'f' => $"fixed-point clause can only be used on doubles, was given {given}",
            'e' => $"scientific clause can only be used on doubles, was given {given}",
            'b' => $"only integers and bools can be formatted as binary, was given {given}",
            'x' or 'X' => $"only integers, byte buffers, and strings can be formatted as hex, was given {given}",
            _ => $"octal clause can only be used on integers, was given {given}",
        };
    }

    /// <summary>The first value, depth first, that <c>%s</c> cannot print (an object inside a list is the culprit, not the list).</summary>
    private static CelValue? NonFormattable(CelValue value)
    {
        switch (value.Kind)
        {
            case CelKind.List:
                foreach (var item in value.AsList)
                {
                    if (NonFormattable(item) is { } bad)
                    {
                        return bad;
                    }
                }

                return null;
            case CelKind.Map:
                foreach (var (key, item) in value.AsMap.Entries)
                {
                    if ((NonFormattable(key) ?? NonFormattable(item)) is { } bad)
                    {
                        return bad;
                    }
                }

                return null;
            default:
                return ScalarText(value) is null ? value : null;
        }
    }

    /// <summary>The <c>%s</c> text of a value; false (and null) when some part of it has no text form.</summary>
    private static bool FormatString(CelValue value, out string? text)
    {
        var builder = new StringBuilder();
        var ok = AppendString(builder, value);
        text = ok ? builder.ToString() : null;
        return ok;
    }

    private static bool AppendString(StringBuilder builder, CelValue value)
    {
        switch (value.Kind)
        {
            case CelKind.List:
                builder.Append('[');
                var list = value.AsList;
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    if (!AppendString(builder, list[i]))
                    {
                        return false;
                    }
                }

                builder.Append(']');
                return true;
            case CelKind.Map:
                // Entries print sorted by their key's text, so the output does not depend on map order.
                var entries = new List<(string Key, string Value)>();
                foreach (var (key, item) in value.AsMap.Entries)
                {
                    if (!FormatString(key, out var keyText) || !FormatString(item, out var itemText))
                    {
                        return false;
                    }

                    entries.Add((keyText!, itemText!));
                }

                entries.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
                builder.Append('{').AppendJoin(", ", entries.Select(e => $"{e.Key}: {e.Value}")).Append('}');
                return true;
            default:
                var text = ScalarText(value);
                builder.Append(text);
                return text is not null;
        }
    }

    /// <summary>The <c>%s</c> text of a value that is not a list or map; null for kinds <c>%s</c> does not print.</summary>
    private static string? ScalarText(CelValue value) => value.Kind switch
    {
        CelKind.Null => "null",
        CelKind.Bool => value.AsBool ? "true" : "false",
        CelKind.Int => value.AsInt.ToString(CultureInfo.InvariantCulture),
        CelKind.Uint => value.AsUint.ToString(CultureInfo.InvariantCulture),
        CelKind.Double => PlainDouble(value.AsDouble),
        CelKind.String => value.AsString,
        CelKind.Bytes => Encoding.UTF8.GetString(value.AsBytes),
        CelKind.Timestamp => Rfc3339Nano(value.AsTimestamp),
        CelKind.Duration => DurationSeconds(value.AsDuration) + "s",
        CelKind.Type => value.AsType.Name,
        _ => null,
    };

    private static string? Decimal(CelValue arg) => arg.Kind is CelKind.Int or CelKind.Uint or CelKind.Double ? ScalarText(arg) : null;

    private static string? FloatingPoint(CelValue arg, int precision, bool scientific)
    {
        double value;
        switch (arg.Kind)
        {
            case CelKind.Int:
                value = arg.AsInt;
                break;
            case CelKind.Uint:
                value = arg.AsUint;
                break;
            case CelKind.Double:
                value = arg.AsDouble;
                break;
            default:
                return null;
        }

        return NonFinite(value) ?? (scientific ? Scientific(value, precision) : Fixed(value, precision));
    }

    private static string? Binary(CelValue arg) => arg.Kind switch
    {
        CelKind.Bool => arg.AsBool ? "1" : "0",
        CelKind.Int or CelKind.Uint => Radix(arg, 2, upper: false),
        _ => null,
    };

    private static string? Octal(CelValue arg) =>
        arg.Kind is CelKind.Int or CelKind.Uint ? Radix(arg, 8, upper: false) : null;

    private static string? Hex(CelValue arg, bool upper) => arg.Kind switch
    {
        CelKind.Int or CelKind.Uint => Radix(arg, 16, upper),
        CelKind.String => HexBytes(Encoding.UTF8.GetBytes(arg.AsString), upper),
        CelKind.Bytes => HexBytes(arg.AsBytes, upper),
        _ => null,
    };

    private static string HexBytes(byte[] bytes, bool upper) => upper ? Convert.ToHexString(bytes) : Convert.ToHexStringLower(bytes);

    /// <summary>An integer in base 2, 8 or 16 with a minus sign for negatives, as Go prints them (not two's complement).</summary>
    private static string Radix(CelValue arg, int radix, bool upper)
    {
        var negative = arg.Kind == CelKind.Int && arg.AsInt < 0;
        var magnitude = arg.Kind == CelKind.Uint ? arg.AsUint : negative ? (ulong)-(Int128)arg.AsInt : (ulong)arg.AsInt;
        var digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        var buffer = new char[65];
        var position = buffer.Length;
        do
        {
            buffer[--position] = digits[(int)(magnitude % (ulong)radix)];
            magnitude /= (ulong)radix;
        }
        while (magnitude != 0);

        if (negative)
        {
            buffer[--position] = '-';
        }

        return new string(buffer, position, buffer.Length - position);
    }

    private static string? NonFinite(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : null;

    /// <summary>The shortest digits that read back as the value, written without an exponent (Go's <c>'f', -1</c>).</summary>
    internal static string PlainDouble(double value)
    {
        if (NonFinite(value) is { } special)
        {
            return special;
        }

        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip.StartsWith('-');
        var body = negative ? roundTrip[1..] : roundTrip;
        var exponent = 0;
        var e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(body.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }

        var dot = body.IndexOf('.');
        var digits = dot < 0 ? body : body.Remove(dot, 1);
        var pointAt = (dot < 0 ? body.Length : dot) + exponent;
        return (negative ? "-" : string.Empty) + PlaceDecimalPoint(digits, pointAt);
    }

    /// <summary>Writes <paramref name="digits"/> with the decimal point after <paramref name="pointAt"/> of them.</summary>
    private static string PlaceDecimalPoint(string digits, int pointAt)
    {
        string text;
        if (pointAt <= 0)
        {
            text = "0." + new string('0', -pointAt) + digits;
        }
        else if (pointAt >= digits.Length)
        {
            text = digits + new string('0', pointAt - digits.Length);
        }
        else
        {
            text = digits[..pointAt] + "." + digits[pointAt..];
        }

        return text.Contains('.', StringComparison.Ordinal) ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary><c>%.Nf</c>: exactly rounded, half to even.</summary>
    private static string Fixed(double value, int precision)
    {
        var scaled = RoundScaled(value, precision);
        var digits = BigInteger.Abs(scaled).ToString(CultureInfo.InvariantCulture).PadLeft(precision + 1, '0');
        var text = precision == 0 ? digits : digits[..^precision] + "." + digits[^precision..];
        return (double.IsNegative(value) ? "-" : string.Empty) + text;
    }

    /// <summary><c>%.Ne</c>: one digit, a point, N digits, then the exponent with at least two digits.</summary>
    private static string Scientific(double value, int precision)
    {
        var sign = double.IsNegative(value) ? "-" : string.Empty;
        if (value == 0)
        {
            return sign + "0" + (precision > 0 ? "." + new string('0', precision) : string.Empty) + "e+00";
        }

        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var lower = BigInteger.Pow(10, precision);
        var upper = lower * 10;
        BigInteger mantissa;
        while (true)
        {
            mantissa = BigInteger.Abs(RoundScaled(value, precision - exponent));
            if (mantissa >= upper)
            {
                exponent++;
            }
            else if (mantissa < lower)
            {
                exponent--;
            }
            else
            {
                break;
            }
        }

        var digits = mantissa.ToString(CultureInfo.InvariantCulture);
        var text = precision == 0 ? digits : digits[..1] + "." + digits[1..];
        var exponentText = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        return $"{sign}{text}e{(exponent < 0 ? '-' : '+')}{exponentText}";
    }

    /// <summary>value × 10^power rounded to an integer, half to even, computed exactly from the double's bits.</summary>
    private static BigInteger RoundScaled(double value, int power)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponentBits = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xFFFFFFFFFFFFFL;
        BigInteger mantissa = exponentBits == 0 ? fraction : fraction | (1L << 52);
        var binaryExponent = (exponentBits == 0 ? 1 : exponentBits) - 1075;

        var numerator = mantissa;
        var denominator = BigInteger.One;
        if (binaryExponent >= 0)
        {
            numerator <<= binaryExponent;
        }
        else
        {
            denominator <<= -binaryExponent;
        }

        if (power >= 0)
        {
            numerator *= BigInteger.Pow(10, power);
        }
        else
        {
            denominator *= BigInteger.Pow(10, -power);
        }

        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        if (twice > denominator || (twice == denominator && !quotient.IsEven))
        {
            quotient++;
        }

        return value < 0 ? -quotient : quotient;
    }

    /// <summary>Go's RFC 3339 with nanoseconds: UTC, and the fraction without trailing zeros.</summary>
    private static string Rfc3339Nano(CelTimestamp timestamp)
    {
        var text = DateTimeOffset.UnixEpoch.AddSeconds(timestamp.Seconds).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (timestamp.Nanos != 0)
        {
            text += "." + timestamp.Nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return text + "Z";
    }

    /// <summary>A duration's seconds as Go's <c>Duration.Seconds()</c> float prints: <c>1.5</c>, <c>6347</c>.</summary>
    private static string DurationSeconds(CelDuration duration)
    {
        var nanos = duration.TotalNanos;
        var seconds = (double)(long)(nanos / 1_000_000_000) + (double)(long)(nanos % 1_000_000_000) / 1e9;
        return PlainDouble(seconds);
    }
}
