using System.Globalization;

namespace Auditrail.Cel.Runtime;

/// <summary>
/// google.protobuf.Timestamp: seconds and nanoseconds since the Unix epoch, in CEL's range
/// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
/// </summary>
public readonly record struct CelTimestamp(long Seconds, int Nanos) : IComparable<CelTimestamp>
{
    public const long MinSeconds = -62135596800;
    public const long MaxSeconds = 253402300799;

    public bool InRange => Seconds is >= MinSeconds and <= MaxSeconds;

    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddSeconds(Seconds).AddTicks(Nanos / 100);

    public static CelTimestamp FromDateTimeOffset(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        return new CelTimestamp(seconds, (int)(remainder * 100));
    }

    public int CompareTo(CelTimestamp other) => Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanos.CompareTo(other.Nanos);

    /// <summary>RFC 3339 in UTC with as many fractional digits as needed (none, 3, 6 or 9), as CEL's string() gives.</summary>
    public override string ToString()
    {
        var text = DateTimeOffset.UnixEpoch.AddSeconds(Seconds).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (Nanos == 0)
        {
            return text + "Z";
        }

        var fraction = Nanos.ToString("D9", CultureInfo.InvariantCulture);
        fraction = Nanos % 1_000_000 == 0 ? fraction[..3] : Nanos % 1000 == 0 ? fraction[..6] : fraction;
        return $"{text}.{fraction}Z";
    }
}

/// <summary>
/// google.protobuf.Duration: seconds and nanoseconds of the same sign. The range is that of 64-bit
/// nanoseconds (about ±292 years), as in cel-go and the conformance suite, not the proto's ±10,000 years.
/// </summary>
public readonly record struct CelDuration(long Seconds, int Nanos) : IComparable<CelDuration>
{
    public bool InRange => TotalNanos >= long.MinValue && TotalNanos <= long.MaxValue;

    /// <summary>Total nanoseconds as a 128-bit number, so arithmetic near the limits cannot overflow silently.</summary>
    public Int128 TotalNanos => (Int128)Seconds * 1_000_000_000 + Nanos;

    public static CelDuration FromNanos(Int128 nanos)
    {
        var seconds = (long)(nanos / 1_000_000_000);
        var rest = (int)(nanos % 1_000_000_000);
        return new CelDuration(seconds, rest);
    }

    public int CompareTo(CelDuration other) => TotalNanos.CompareTo(other.TotalNanos);

    /// <summary>As CEL's string(): seconds with an optional fraction, then "s" (e.g. <c>1.5s</c>, <c>-3600s</c>).</summary>
    public override string ToString()
    {
        var negative = TotalNanos < 0;
        var abs = negative ? -TotalNanos : TotalNanos;
        var seconds = abs / 1_000_000_000;
        var nanos = (int)(abs % 1_000_000_000);
        var text = (negative ? "-" : string.Empty) + seconds.ToString(CultureInfo.InvariantCulture);
        if (nanos != 0)
        {
            text += "." + nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return text + "s";
    }
}
