using System.Buffers;
using System.Globalization;
using System.Text;

namespace Auditrail.Storage.Schema;

/// <summary>
/// Keeps the typed columns' values out of the stored event JSON. A field whose text is
/// exactly what a column holds (auditID, requestURI, verb, userAgent, and the two timestamps in the
/// apiserver's microsecond format) is replaced by a one-byte code before compression and written back
/// from the column on read, so <c>query event</c> and backtests get the redacted JSON byte for byte.
/// </summary>
/// <remarks>
/// A stripped event starts with a NUL byte and its codes are bytes 0x01–0x06, which valid JSON never
/// contains raw (control characters must be escaped inside strings and are not whitespace outside
/// them); an event stored before this existed, or with nothing to strip, is the JSON as read and
/// passes through unchanged. A field is left in place whenever its raw
/// text differs from the column's (escapes such as Go's <c>\u0026</c>, nanosecond or offset timestamps):
/// only exact copies are removed, and since the column's value is written back at the same place, which
/// occurrence was removed (the top-level field, or rarely a nested one with the same name and value)
/// does not change what is read back. This matters for size: an auditID
/// is 36 random characters and the timestamps' digits change with every event, which is what zstd's
/// dictionary cannot predict.
/// </remarks>
internal static class EventFields
{
    /// <summary>The apiserver's MicroTime format (RFC 3339, six fraction digits, UTC).</summary>
    private const string MicroTime = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>Length of a <see cref="MicroTime"/> timestamp.</summary>
    private const int MicroTimeBytes = 27;

    /// <summary>First byte of a stripped event; JSON as read (stored before this existed, or with nothing to strip) starts otherwise.</summary>
    private const byte Marker = 0;

    /// <summary>Longest column value compared (longer ones are rare and stay in the frame).</summary>
    private const int ComparedBytes = 2048;

    private static readonly (byte Code, byte[] Name)[] Fields =
    [
        (1, "auditID"u8.ToArray()),
        (2, "requestURI"u8.ToArray()),
        (3, "verb"u8.ToArray()),
        (4, "userAgent"u8.ToArray()),
        (5, "requestReceivedTimestamp"u8.ToArray()),
        (6, "stageTimestamp"u8.ToArray()),
    ];

    /// <summary>The JSON with every field that a column reproduces exactly replaced by its code.</summary>
    public static byte[] Strip(ReadOnlySpan<byte> json, in ColumnValues columns)
    {
        byte[] scratch = [];
        return Strip(json, columns, ref scratch).ToArray();
    }

    /// <summary>
    /// As <see cref="Strip(ReadOnlySpan{byte}, in ColumnValues)"/>, into <paramref name="scratch"/> (grown when
    /// too small, reused by the next call); the result is <paramref name="json"/> itself when nothing is stripped.
    /// </summary>
    /// <remarks>
    /// A byte search, not a JSON parse: for each field, the first occurrence of <c>"name":"value"</c> with the
    /// column's value. Parsing the event again cost more than compressing it, and the search cannot lose
    /// anything: restoring writes the same bytes back at the same place, and a raw <c>"name":"</c> cannot
    /// start inside a JSON string, where quotes are escaped. The apiserver writes compact JSON; an event
    /// with spaces around the colon keeps its fields (larger, still exact).
    /// </remarks>
    public static ReadOnlySpan<byte> Strip(ReadOnlySpan<byte> json, in ColumnValues columns, ref byte[] scratch)
    {
        if (json.IndexOfAnyInRange(Marker, (byte)Fields.Length) >= 0)
        {
            return json; // not valid JSON; kept as read, and the marker below stays unambiguous
        }

        // Where each found value (with its quotes) starts and how long it is, ordered by position below.
        Span<(int At, int Length, byte Code)> found = stackalloc (int, int, byte)[Fields.Length];
        var count = 0;
        var removed = 0;
        Span<byte> pattern = stackalloc byte[ComparedBytes + 32];
        foreach (var (code, name) in Fields)
        {
            var prefix = name.Length + 4; // "name":"
            if (!columns.TryWriteUtf8(code, pattern[prefix..^1], out var length))
            {
                continue;
            }

            pattern[0] = (byte)'"';
            name.CopyTo(pattern[1..]);
            "\":\""u8.CopyTo(pattern[(name.Length + 1)..]);
            pattern[prefix + length] = (byte)'"';
            var at = json.IndexOf(pattern[..(prefix + length + 1)]);
            if (at >= 0)
            {
                found[count++] = (at + prefix - 1, length + 2, code);
                removed += length + 1; // the quoted value goes, one code byte comes
            }
        }

        if (count == 0)
        {
            return json;
        }

        found[..count].Sort();
        var size = json.Length + 1 - removed;
        if (scratch.Length < size)
        {
            scratch = new byte[Math.Max(size, scratch.Length * 2)];
        }

        var output = scratch.AsSpan();
        output[0] = Marker;
        var written = 1;
        var copied = 0;
        foreach (var (at, length, code) in found[..count])
        {
            json[copied..at].CopyTo(output[written..]);
            written += at - copied;
            output[written++] = code;
            copied = at + length;
        }

        json[copied..].CopyTo(output[written..]);
        return output[..size];
    }

    /// <summary>Writes the columns' values back in place of their codes; a frame without codes is returned as is.</summary>
    public static byte[] Restore(byte[] stored, in ColumnValues columns)
    {
        if (stored.Length == 0 || stored[0] != Marker)
        {
            return stored;
        }

        var output = new ArrayBufferWriter<byte>(stored.Length + 256);
        var rest = stored.AsSpan(1);
        int at;
        while ((at = rest.IndexOfAnyInRange((byte)1, (byte)Fields.Length)) >= 0)
        {
            output.Write(rest[..at]);
            var text = columns.Text(rest[at]) ?? throw new StoreException($"stored event {columns.AuditId}: field code {rest[at]} has no column value");
            output.Write("\""u8);
            output.Write(Encoding.UTF8.GetBytes(text));
            output.Write("\""u8);
            rest = rest[(at + 1)..];
        }

        output.Write(rest);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The columns an event's stripped fields come from (see <see cref="StoreSchema.EventColumns"/>).</summary>
    internal readonly record struct ColumnValues(string AuditId, string? RequestUri, string? Verb, string? UserAgent, DateTimeOffset? Received, DateTimeOffset? Time)
    {
        public string? Text(byte code) => code switch
        {
            1 => AuditId.Length == 0 ? null : AuditId,
            2 => RequestUri,
            3 => Verb,
            4 => UserAgent,
            5 => Format(Received),
            6 => Format(Time),
            _ => null,
        };

        /// <summary>The column's value as the raw JSON would hold it; false when there is none or it does not fit.</summary>
        public bool TryWriteUtf8(byte code, Span<byte> destination, out int written)
        {
            written = 0;
            return code switch
            {
                5 or 6 => (code == 5 ? Received : Time) is { } time && TryWriteMicroTime(time.UtcDateTime, destination, out written),
                _ => Text(code) is { } text && Encoding.UTF8.TryGetBytes(text, destination, out written),
            };
        }

        /// <summary>
        /// <see cref="MicroTime"/> as UTF-8, digit by digit: every append formats two timestamps to look for,
        /// and the general custom-format path took a third of the strip's time. Same text as
        /// <see cref="Format"/> (which restores), fractions truncated as <c>ffffff</c> does.
        /// </summary>
        internal static bool TryWriteMicroTime(DateTime utc, Span<byte> destination, out int written)
        {
            written = 0;
            if (destination.Length < MicroTimeBytes)
            {
                return false;
            }

            Digits(destination[..4], utc.Year);
            destination[4] = (byte)'-';
            Digits(destination.Slice(5, 2), utc.Month);
            destination[7] = (byte)'-';
            Digits(destination.Slice(8, 2), utc.Day);
            destination[10] = (byte)'T';
            Digits(destination.Slice(11, 2), utc.Hour);
            destination[13] = (byte)':';
            Digits(destination.Slice(14, 2), utc.Minute);
            destination[16] = (byte)':';
            Digits(destination.Slice(17, 2), utc.Second);
            destination[19] = (byte)'.';
            Digits(destination.Slice(20, 6), (int)(utc.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond));
            destination[26] = (byte)'Z';
            written = MicroTimeBytes;
            return true;
        }

        /// <summary>Writes <paramref name="value"/> zero-padded to exactly the destination's length.</summary>
        private static void Digits(Span<byte> destination, int value)
        {
            for (var i = destination.Length - 1; i >= 0; i--)
            {
                destination[i] = (byte)('0' + (value % 10));
                value /= 10;
            }
        }

        private static string? Format(DateTimeOffset? time) => time?.UtcDateTime.ToString(MicroTime, CultureInfo.InvariantCulture);
    }
}
