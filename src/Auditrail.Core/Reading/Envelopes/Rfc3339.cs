using System.Globalization;

namespace Auditrail.Core.Reading.Envelopes;

/// <summary>Parses cloud timestamps and writes them the way kube-apiserver writes a MicroTime.</summary>
internal static class Rfc3339
{
    private static readonly string[] _formats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK"];

    /// <summary>
    /// Turns an RFC 3339 time with any precision (Cloud Logging writes nanoseconds) into UTC with exactly six
    /// fractional digits, <c>2024-05-12T05:13:08.760303Z</c>, the audit.k8s.io MicroTime form.
    /// </summary>
    public static bool TryNormalizeToMicroTime(string value, out string microTime)
    {
        microTime = "";

        // .NET parses at most seven fractional digits; drop the rest (truncating, as Go's formatter does).
        var text = value;
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < value.Length && char.IsAsciiDigit(value[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(value.AsSpan(0, dot + 8), value.AsSpan(end));
            }
        }

        if (!DateTimeOffset.TryParseExact(text, _formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }

        microTime = parsed.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        return true;
    }
}
