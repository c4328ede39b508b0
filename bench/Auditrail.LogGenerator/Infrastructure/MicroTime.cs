namespace Auditrail.LogGenerator.Infrastructure;

/// <summary>
/// Times are microseconds since the Unix epoch, the resolution of metav1.MicroTime. Formatting is done by hand
/// (civil-from-days) because it runs twice per event and must not depend on culture or the clock.
/// </summary>
internal static class MicroTime
{
    /// <summary>Length of <c>2026-01-01T00:00:00.000000Z</c>, how audit events print their timestamps.</summary>
    public const int MicroLength = 27;

    /// <summary>Length of <c>2026-01-01T00:00:00Z</c>, how object metadata prints times.</summary>
    public const int SecondLength = 20;

    public const long PerSecond = 1_000_000;
    public const long PerMinute = 60 * PerSecond;
    public const long PerHour = 60 * PerMinute;
    public const long PerDay = 24 * PerHour;

    public static long FromDateTimeOffset(DateTimeOffset value) => (value.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    public static void FormatMicro(long micros, Span<byte> destination)
    {
        FormatSeconds(micros, destination);
        destination[19] = (byte)'.';
        var fraction = (int)(micros - (FloorDiv(micros, PerSecond) * PerSecond));
        for (var i = 25; i >= 20; i--)
        {
            destination[i] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }

        destination[26] = (byte)'Z';
    }

    public static void FormatSeconds(long micros, Span<byte> destination)
    {
        var days = FloorDiv(micros, PerDay);
        var secondOfDay = (int)((micros - (days * PerDay)) / PerSecond);
        CivilFromDays(days, out var year, out var month, out var day);
        Digits(destination, 0, year, 4);
        destination[4] = (byte)'-';
        Digits(destination, 5, month, 2);
        destination[7] = (byte)'-';
        Digits(destination, 8, day, 2);
        destination[10] = (byte)'T';
        Digits(destination, 11, secondOfDay / 3600, 2);
        destination[13] = (byte)':';
        Digits(destination, 14, secondOfDay / 60 % 60, 2);
        destination[16] = (byte)':';
        Digits(destination, 17, secondOfDay % 60, 2);
        destination[19] = (byte)'Z';
    }

    /// <summary>Hour of the day (UTC) and whether the day is Saturday or Sunday; drives human working hours.</summary>
    public static (int Hour, bool Weekend) HourOfWeek(long micros)
    {
        var days = FloorDiv(micros, PerDay);
        var hour = (int)((micros - (days * PerDay)) / PerHour);
        var dayOfWeek = (int)(((days % 7) + 11) % 7); // 1970-01-01 was a Thursday (4); Sunday is 0.
        return (hour, dayOfWeek is 0 or 6);
    }

    private static long FloorDiv(long value, long divisor) => value >= 0 ? value / divisor : ((value + 1) / divisor) - 1;

    private static void Digits(Span<byte> destination, int start, int value, int count)
    {
        for (var i = start + count - 1; i >= start; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    // Howard Hinnant's days_from_civil inverse: exact for the proleptic Gregorian calendar.
    private static void CivilFromDays(long days, out int year, out int month, out int day)
    {
        days += 719468;
        var era = (days >= 0 ? days : days - 146096) / 146097;
        var dayOfEra = days - (era * 146097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36524) - (dayOfEra / 146096)) / 365;
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var mp = ((5 * dayOfYear) + 2) / 153;
        day = (int)(dayOfYear - (((153 * mp) + 2) / 5) + 1);
        month = (int)(mp < 10 ? mp + 3 : mp - 9);
        year = (int)(yearOfEra + (era * 400) + (month <= 2 ? 1 : 0));
    }
}
