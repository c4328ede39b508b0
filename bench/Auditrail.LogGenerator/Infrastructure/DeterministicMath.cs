namespace Auditrail.LogGenerator.Infrastructure;

/// <summary>
/// A natural logarithm built only from IEEE-754 basic operations, which are correctly rounded everywhere.
/// Math.Log comes from the platform's C library and may differ in the last bit between machines; after
/// scaling to microseconds that would, rarely, change a timestamp and break byte-identical output.
/// </summary>
internal static class DeterministicMath
{
    private const double Ln2 = 0.69314718055994530942;
    private const double Sqrt2 = 1.41421356237309504880;

    /// <summary>ln(x) for finite positive x.</summary>
    public static double Log(double x)
    {
        var bits = BitConverter.DoubleToInt64Bits(x);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        var mantissa = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (mantissa > Sqrt2)
        {
            mantissa *= 0.5;
            exponent++;
        }

        // ln(m) = 2 atanh(s) with s = (m-1)/(m+1); |s| < 0.172, so nine terms reach double precision.
        var s = (mantissa - 1.0) / (mantissa + 1.0);
        var s2 = s * s;
        var term = s;
        var sum = 0.0;
        for (var k = 1; k <= 17; k += 2)
        {
            sum += term / k;
            term *= s2;
        }

        return (exponent * Ln2) + (2.0 * sum);
    }
}
