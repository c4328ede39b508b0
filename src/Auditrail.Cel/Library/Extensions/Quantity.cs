using System.Globalization;
using System.Numerics;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// A Kubernetes <c>resource.Quantity</c>: an exact decimal, parsed by the API server's rules and
/// kept in the same one of its two representations, because that choice shows through the CEL
/// functions: a quantity held as a scaled int64 whose scale is not negative converts with
/// <c>asInteger()</c>; one held as an arbitrary-precision decimal never does (so
/// <c>quantity("1000m").isInteger()</c> is false, as in Kubernetes).
/// </summary>
internal sealed class Quantity : IEquatable<Quantity>, IComparable<Quantity>
{
    /// <summary>The parser's one error for text of the wrong shape, worded as Kubernetes words it.</summary>
    public const string FormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    private const string NumericError = "unable to parse numeric part of quantity";
    private const string SuffixError = "unable to parse quantity's suffix";

    // Digits an int64 always holds; Kubernetes' fast path takes numbers this short.
    private const int MaxInt64Factors = 18;
    private const int NanoScale = -9;

    // No real quantity has an exponent this large; past it exact arithmetic would be slow and huge.
    private const int MaxExponent = 10_000;

    private Quantity(BigInteger mantissa, int exponent, bool isDecimal)
    {
        Mantissa = mantissa;
        Exponent = exponent;
        IsDecimal = isDecimal;
    }

    /// <summary>The value is <see cref="Mantissa"/> × 10^<see cref="Exponent"/>.</summary>
    public BigInteger Mantissa { get; }

    public int Exponent { get; }

    /// <summary>Held as an arbitrary-precision decimal (Go's <c>inf.Dec</c>) rather than a scaled int64.</summary>
    public bool IsDecimal { get; }

    public static Quantity FromInt64(long value) => new(value, 0, false);

    public int Sign => Mantissa.Sign;

    public static bool TryParse(string text, out Quantity? quantity, out string? error)
    {
        quantity = null;
        error = null;
        if (text.Length == 0)
        {
            error = FormatError;
            return false;
        }

        if (text == "0")
        {
            quantity = FromInt64(0);
            return true;
        }

        if (!TrySplit(text, out var positive, out var value, out var numerator, out var fraction, out var suffix))
        {
            error = FormatError;
            return false;
        }

        if (!TryInterpretSuffix(suffix, out var binary, out var exponent))
        {
            error = SuffixError;
            return false;
        }

        // Kubernetes would accept "1e2000000000" and then spend its memory on the digits; refuse it.
        if (Math.Abs((long)exponent) > MaxExponent)
        {
            error = $"quantity exponent {exponent} is out of range (at most {MaxExponent} either way)";
            return false;
        }

        if (TryFastPath(positive, numerator, fraction, binary, exponent, out quantity))
        {
            return true;
        }

        return TrySlowPath(value, binary, exponent, out quantity, out error);
    }

    /// <summary>
    /// Kubernetes' scanner: sign, digits (leading zeros dropped), optional '.' and digits, then suffix
    /// letters, an optional sign and digits. A bare suffix ("Mi") scans as zero, as it does there.
    /// </summary>
    private static bool TrySplit(string text, out bool positive, out string value, out string numerator, out string fraction, out string suffix)
    {
        positive = true;
        value = numerator = fraction = suffix = string.Empty;
        var pos = 0;
        if (text[0] is '-' or '+')
        {
            positive = text[0] == '+';
            pos++;
        }

        while (pos < text.Length && text[pos] == '0')
        {
            pos++;
        }

        if (pos >= text.Length)
        {
            numerator = value = "0";
            return true;
        }

        var start = pos;
        while (pos < text.Length && char.IsAsciiDigit(text[pos]))
        {
            pos++;
        }

        numerator = pos == start ? "0" : text[start..pos];
        if (pos >= text.Length)
        {
            value = text;
            return true;
        }

        if (text[pos] == '.')
        {
            start = ++pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                pos++;
            }

            fraction = text[start..pos];
            if (pos >= text.Length)
            {
                value = text;
                return true;
            }
        }

        value = text[..pos];
        var suffixStart = pos;
        while (pos < text.Length && "eEinumkKMGTP".Contains(text[pos], StringComparison.Ordinal))
        {
            pos++;
        }

        if (pos < text.Length && text[pos] is '-' or '+')
        {
            pos++;
        }

        while (pos < text.Length && char.IsAsciiDigit(text[pos]))
        {
            pos++;
        }

        suffix = text[suffixStart..];
        return pos >= text.Length;
    }

    private static bool TryInterpretSuffix(string suffix, out bool binary, out int exponent)
    {
        binary = false;
        exponent = 0;
        switch (suffix)
        {
            case "Ki" or "Mi" or "Gi" or "Ti" or "Pi" or "Ei":
                binary = true;
                exponent = 10 * ("KMGTPE".IndexOf(suffix[0], StringComparison.Ordinal) + 1);
                return true;
            case "n":
                exponent = -9;
                return true;
            case "u":
                exponent = -6;
                return true;
            case "m":
                exponent = -3;
                return true;
            case "":
                return true;
            case "k" or "M" or "G" or "T" or "P" or "E":
                exponent = 3 * ("kMGTPE".IndexOf(suffix[0], StringComparison.Ordinal) + 1);
                return true;
        }

        // "e5", "E-3": a decimal exponent. Go narrows the parsed int64 to int32 without a check; so does this.
        if (suffix.Length > 1 && suffix[0] is 'e' or 'E'
            && long.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            exponent = unchecked((int)parsed);
            return true;
        }

        return false;
    }

    /// <summary>Short numbers become a scaled int64 directly, as in Kubernetes' fast path.</summary>
    private static bool TryFastPath(bool positive, string numerator, string fraction, bool binary, int exponent, out Quantity? quantity)
    {
        quantity = null;
        long multiplier = 1;
        int precision, scale = 0;
        if (!binary)
        {
            scale = exponent;
            precision = MaxInt64Factors - (numerator.Length + fraction.Length);
        }
        else if (fraction.Length == 0)
        {
            multiplier = 1L << exponent;
            precision = 15 - numerator.Length - (int)((float)exponent * 3 / 10) - 1;
        }
        else
        {
            precision = -1;
        }

        if (precision < 0 || scale - fraction.Length < NanoScale)
        {
            return false;
        }

        var digits = long.Parse(numerator + fraction, CultureInfo.InvariantCulture);
        var product = (Int128)digits * multiplier;
        if (product > long.MaxValue)
        {
            return false;
        }

        quantity = new Quantity(positive ? (long)product : -(long)product, scale - fraction.Length, false);
        return true;
    }

    /// <summary>
    /// Everything else becomes an exact decimal: non-zero values are rounded up (away from zero) to a
    /// multiple of 10^-9, and binary-suffixed values are capped at 2^63-1, as Kubernetes does.
    /// </summary>
    private static bool TrySlowPath(string value, bool binary, int exponent, out Quantity? quantity, out string? error)
    {
        quantity = null;
        error = NumericError;
        var negative = value.StartsWith('-');
        var unsigned = value.TrimStart('+', '-');
        var dot = unsigned.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? unsigned : unsigned.Remove(dot, 1);
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        var mantissa = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        var scale = dot < 0 ? 0 : unsigned.Length - dot - 1;
        if (binary)
        {
            mantissa <<= exponent;
        }
        else
        {
            scale -= exponent;
        }

        if (!mantissa.IsZero)
        {
            // inf.Dec.Round to scale 9, rounding up: fewer decimals are padded, more are rounded away.
            if (scale > -NanoScale)
            {
                var divisor = BigInteger.Pow(10, scale + NanoScale);
                mantissa = BigInteger.DivRem(mantissa, divisor, out var remainder) + (remainder.IsZero ? 0 : 1);
            }
            else
            {
                mantissa *= BigInteger.Pow(10, -NanoScale - scale);
            }

            scale = -NanoScale;
        }

        if (binary && mantissa > new BigInteger(long.MaxValue) * BigInteger.Pow(10, scale))
        {
            mantissa = long.MaxValue;
            scale = 0;
        }

        quantity = new Quantity(negative ? -mantissa : mantissa, -scale, true);
        error = null;
        return true;
    }

    /// <summary>Kubernetes' <c>AsInt64</c>: only a scaled int64 with a non-negative scale whose value fits.</summary>
    public bool TryAsInt64(out long value)
    {
        value = 0;
        if (IsDecimal || Exponent < 0)
        {
            return false;
        }

        var scaled = Mantissa * BigInteger.Pow(10, Exponent);
        if (scaled < long.MinValue || scaled > long.MaxValue)
        {
            return false;
        }

        value = (long)scaled;
        return true;
    }

    /// <summary>Kubernetes' <c>AsApproximateFloat64</c>: the mantissa as a double times Go's <c>math.Pow10</c> of the exponent.</summary>
    public double AsApproximateFloat64()
    {
        var mantissa = (double)Mantissa;
        return Exponent == 0 ? mantissa : mantissa * GoPow10(Exponent);
    }

    private static readonly double[] Pow10 = Enumerable.Range(0, 32).Select(i => double.Parse($"1e{i}", CultureInfo.InvariantCulture)).ToArray();
    private static readonly double[] Pow10Positive32 = Enumerable.Range(0, 10).Select(i => double.Parse($"1e{i * 32}", CultureInfo.InvariantCulture)).ToArray();
    private static readonly double[] Pow10Negative32 = Enumerable.Range(0, 11).Select(i => double.Parse($"1e-{i * 32}", CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Go's <c>math.Pow10</c>, table for table, so approximate floats match Kubernetes to the last bit.</summary>
    private static double GoPow10(int n) => n switch
    {
        >= 0 and <= 308 => Pow10Positive32[n / 32] * Pow10[n % 32],
        > 308 => double.PositiveInfinity,
        >= -323 => Pow10Negative32[-n / 32] / Pow10[-n % 32],
        _ => 0,
    };

    /// <summary>Kubernetes' <c>Add</c>: two scaled int64s stay one while the sum fits; otherwise the sum is an exact decimal.</summary>
    public Quantity Add(Quantity other) => Combine(other, negate: false);

    /// <summary>Kubernetes' <c>Sub</c>: adds the int64 negation when both are scaled int64s, else subtracts exactly.</summary>
    public Quantity Subtract(Quantity other) => Combine(other, negate: true);

    private Quantity Combine(Quantity other, bool negate)
    {
        // Go negates the int64 in place, wrapping at its minimum; the exact fallback uses the true value.
        if (!IsDecimal && !other.IsDecimal
            && TryAddScaled(negate ? new Quantity(unchecked(-(long)other.Mantissa), other.Exponent, false) : other, out var sum))
        {
            return sum!;
        }

        var exponent = Math.Min(Exponent, other.Exponent);
        var right = other.Rescale(exponent);
        return new Quantity(Rescale(exponent) + (negate ? -right : right), exponent, true);
    }

    /// <summary>Go's <c>int64Amount.Add</c>, including which scale the result keeps.</summary>
    private bool TryAddScaled(Quantity other, out Quantity? sum)
    {
        sum = null;
        if (other.Mantissa.IsZero)
        {
            sum = this;
            return true;
        }

        if (Mantissa.IsZero)
        {
            sum = other;
            return true;
        }

        var exponent = Math.Min(Exponent, other.Exponent);
        var left = Rescale(exponent);
        var right = other.Rescale(exponent);
        var total = left + right;
        if (left < long.MinValue || left > long.MaxValue || right < long.MinValue || right > long.MaxValue || total < long.MinValue || total > long.MaxValue)
        {
            return false;
        }

        sum = new Quantity(total, exponent, false);
        return true;
    }

    private BigInteger Rescale(int exponent) => Mantissa * BigInteger.Pow(10, Exponent - exponent);

    public int CompareTo(Quantity? other)
    {
        if (other is null)
        {
            return 1;
        }

        var exponent = Math.Min(Exponent, other.Exponent);
        return Rescale(exponent).CompareTo(other.Rescale(exponent));
    }

    /// <summary>Equal in value, whatever the representation (Kubernetes' <c>Quantity.Equal</c>).</summary>
    public bool Equals(Quantity? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is Quantity other && Equals(other);

    public override int GetHashCode()
    {
        var (mantissa, exponent) = Normalized();
        return HashCode.Combine(mantissa, exponent);
    }

    /// <summary>The value with trailing zeros moved into the exponent, so equal values look alike.</summary>
    private (BigInteger Mantissa, int Exponent) Normalized()
    {
        if (Mantissa.IsZero)
        {
            return (0, 0);
        }

        var mantissa = Mantissa;
        var exponent = Exponent;
        while (BigInteger.Remainder(mantissa, 10).IsZero)
        {
            mantissa /= 10;
            exponent++;
        }

        return (mantissa, exponent);
    }

    /// <summary>The exact decimal value (for messages; Kubernetes' canonical suffixed form is not needed by any function).</summary>
    public override string ToString()
    {
        var (mantissa, exponent) = Normalized();
        var digits = BigInteger.Abs(mantissa).ToString(CultureInfo.InvariantCulture);
        var sign = mantissa.Sign < 0 ? "-" : string.Empty;
        if (exponent >= 0)
        {
            return sign + digits + new string('0', exponent);
        }

        digits = digits.PadLeft(-exponent + 1, '0');
        return $"{sign}{digits[..^(-exponent)]}.{digits[^(-exponent)..]}";
    }
}
