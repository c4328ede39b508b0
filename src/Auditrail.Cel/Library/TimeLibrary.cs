using System.Globalization;
using System.Text.RegularExpressions;
using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library;

/// <summary>Timestamps and durations: parsing, arithmetic with range checks, and calendar accessors in any time zone.</summary>
public static partial class TimeLibrary
{
    private const long NanosPerSecond = 1_000_000_000;

    public static void Register(FunctionRegistry r)
    {
        r.Global("timestamp", Timestamp, [Timestamp], a => a[0]);
        r.Global("timestamp", Timestamp, [Str], a => ParseTimestamp(a[0].AsString));
        r.Global("timestamp", Timestamp, [Int], a => Checked(new CelTimestamp(a[0].AsInt, 0)));
        r.Global("duration", Duration, [Duration], a => a[0]);
        r.Global("duration", Duration, [Str], a => ParseDuration(a[0].AsString));

        r.Global("_+_", Timestamp, [Timestamp, Duration], a => Add(a[0].AsTimestamp, a[1].AsDuration.TotalNanos));
        r.Global("_+_", Timestamp, [Duration, Timestamp], a => Add(a[1].AsTimestamp, a[0].AsDuration.TotalNanos));
        r.Global("_+_", Duration, [Duration, Duration], a => Checked(CelDuration.FromNanos(a[0].AsDuration.TotalNanos + a[1].AsDuration.TotalNanos)));
        r.Global("_-_", Timestamp, [Timestamp, Duration], a => Add(a[0].AsTimestamp, -a[1].AsDuration.TotalNanos));
        r.Global("_-_", Duration, [Timestamp, Timestamp], a => Checked(CelDuration.FromNanos(Nanos(a[0].AsTimestamp) - Nanos(a[1].AsTimestamp))));
        r.Global("_-_", Duration, [Duration, Duration], a => Checked(CelDuration.FromNanos(a[0].AsDuration.TotalNanos - a[1].AsDuration.TotalNanos)));
        r.Global("-_", Duration, [Duration], a => Checked(CelDuration.FromNanos(-a[0].AsDuration.TotalNanos)));

        Accessor(r, "getFullYear", t => t.Year);
        Accessor(r, "getMonth", t => t.Month - 1);
        Accessor(r, "getDate", t => t.Day);
        Accessor(r, "getDayOfMonth", t => t.Day - 1);
        Accessor(r, "getDayOfWeek", t => (int)t.DayOfWeek);
        Accessor(r, "getDayOfYear", t => t.DayOfYear - 1);
        Accessor(r, "getHours", t => t.Hour);
        Accessor(r, "getMinutes", t => t.Minute);
        Accessor(r, "getSeconds", t => t.Second);
        Accessor(r, "getMilliseconds", t => t.Millisecond);

        r.Member("getHours", Int, [Duration], a => CelValue.Int((long)(a[0].AsDuration.TotalNanos / (3600 * NanosPerSecond))));
        r.Member("getMinutes", Int, [Duration], a => CelValue.Int((long)(a[0].AsDuration.TotalNanos / (60 * NanosPerSecond))));
        r.Member("getSeconds", Int, [Duration], a => CelValue.Int((long)(a[0].AsDuration.TotalNanos / NanosPerSecond)));
        r.Member("getMilliseconds", Int, [Duration], a => CelValue.Int((long)(a[0].AsDuration.TotalNanos % NanosPerSecond / 1_000_000)));
    }

    private static void Accessor(FunctionRegistry r, string name, Func<DateTime, int> part)
    {
        r.Member(name, Int, [Timestamp], a => CelValue.Int(part(a[0].AsTimestamp.ToDateTimeOffset().UtcDateTime)));
        r.Member(name, Int, [Timestamp, Str], a => InZone(a[0].AsTimestamp, a[1].AsString, part));
    }

    private static CelValue InZone(CelTimestamp timestamp, string zone, Func<DateTime, int> part)
    {
        var utc = timestamp.ToDateTimeOffset();
        if (TryParseOffset(zone, out var offset))
        {
            return CelValue.Int(part(utc.ToOffset(offset).DateTime));
        }

        try
        {
            var info = TimeZoneInfo.FindSystemTimeZoneById(zone);
            return CelValue.Int(part(TimeZoneInfo.ConvertTime(utc, info).DateTime));
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return CelValue.Error($"unknown time zone '{zone}'");
        }
    }

    /// <summary>Fixed offsets as CEL accepts them: <c>+05:30</c>, <c>-08:00</c>, <c>05:30</c>.</summary>
    private static bool TryParseOffset(string zone, out TimeSpan offset)
    {
        offset = default;
        var match = OffsetPattern().Match(zone);
        if (!match.Success)
        {
            return false;
        }

        var span = new TimeSpan(int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture), 0);
        offset = match.Groups[1].Value == "-" ? -span : span;
        return true;
    }

    [GeneratedRegex(@"^([+-]?)(\d{1,2}):(\d{2})$")]
    private static partial Regex OffsetPattern();

    private static Int128 Nanos(CelTimestamp t) => (Int128)t.Seconds * NanosPerSecond + t.Nanos;

    private static CelValue Add(CelTimestamp t, Int128 nanos)
    {
        var total = Nanos(t) + nanos;
        var seconds = total / NanosPerSecond;
        var rest = total % NanosPerSecond;
        if (rest < 0)
        {
            seconds--;
            rest += NanosPerSecond;
        }

        if (seconds < CelTimestamp.MinSeconds || seconds > CelTimestamp.MaxSeconds)
        {
            return CelValue.Error("timestamp out of range");
        }

        return CelValue.Timestamp(new CelTimestamp((long)seconds, (int)rest));
    }

    private static CelValue Checked(CelTimestamp t) => t.InRange ? CelValue.Timestamp(t) : CelValue.Error("timestamp out of range");

    private static CelValue Checked(CelDuration d) => d.InRange ? CelValue.Duration(d) : CelValue.Error("duration out of range");

    /// <summary>RFC 3339 with any offset and up to nine fractional digits.</summary>
    public static CelValue ParseTimestamp(string text)
    {
        var match = TimestampPattern().Match(text);
        if (!match.Success)
        {
            return CelValue.Error($"cannot parse \"{text}\" as an RFC 3339 timestamp");
        }

        if (!DateTime.TryParseExact(match.Groups[1].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var local))
        {
            return CelValue.Error($"cannot parse \"{text}\" as an RFC 3339 timestamp");
        }

        var nanos = match.Groups[2].Success ? int.Parse(match.Groups[2].Value.PadRight(9, '0'), CultureInfo.InvariantCulture) : 0;
        var offset = TimeSpan.Zero;
        if (match.Groups[3].Value is not ("Z" or "z") && !TryParseOffset(match.Groups[3].Value, out offset))
        {
            return CelValue.Error($"cannot parse \"{text}\" as an RFC 3339 timestamp");
        }

        var seconds = (long)(local - DateTime.UnixEpoch).TotalSeconds - (long)offset.TotalSeconds;
        return Checked(new CelTimestamp(seconds, nanos));
    }

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex TimestampPattern();

    /// <summary>Go duration syntax: <c>1h30m</c>, <c>-1.5s</c>, <c>100ms</c>, <c>2us</c>, <c>3ns</c>.</summary>
    public static CelValue ParseDuration(string text)
    {
        var rest = text.AsSpan();
        var negative = false;
        if (rest.Length > 0 && rest[0] is '+' or '-')
        {
            negative = rest[0] == '-';
            rest = rest[1..];
        }

        if (rest.SequenceEqual("0"))
        {
            return CelValue.Duration(default);
        }

        Int128 total = 0;
        if (rest.IsEmpty)
        {
            return CelValue.Error($"cannot parse \"{text}\" as a duration");
        }

        while (!rest.IsEmpty)
        {
            var numberEnd = 0;
            while (numberEnd < rest.Length && (char.IsAsciiDigit(rest[numberEnd]) || rest[numberEnd] == '.'))
            {
                numberEnd++;
            }

            var unitEnd = numberEnd;
            while (unitEnd < rest.Length && !char.IsAsciiDigit(rest[unitEnd]) && rest[unitEnd] != '.')
            {
                unitEnd++;
            }

            var unit = rest[numberEnd..unitEnd].ToString() switch
            {
                "h" => 3600 * NanosPerSecond,
                "m" => 60 * NanosPerSecond,
                "s" => NanosPerSecond,
                "ms" => 1_000_000L,
                "us" or "µs" or "μs" => 1_000L,
                "ns" => 1L,
                _ => 0L,
            };
            if (numberEnd == 0 || unit == 0 || !decimal.TryParse(rest[..numberEnd], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return CelValue.Error($"cannot parse \"{text}\" as a duration");
            }

            try
            {
                total += (Int128)decimal.Truncate(amount * unit);
            }
            catch (OverflowException)
            {
                return CelValue.Error("duration out of range");
            }

            rest = rest[unitEnd..];
        }

        return Checked(CelDuration.FromNanos(negative ? -total : total));
    }
}
