using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Auditrail.Storage.Schema;

/// <summary>
/// Keeps the typed columns' values out of the stored event JSON. A top-level field whose text is
/// exactly what a column holds (auditID, requestURI, verb, userAgent, and the two timestamps in the
/// apiserver's microsecond format) is replaced by a one-byte code before compression and written back
/// from the column on read, so <c>query event</c> and backtests get the redacted JSON byte for byte.
/// </summary>
/// <remarks>
/// A stripped event starts with a NUL byte and its codes are bytes 0x01–0x06, which valid JSON never
/// contains raw (control characters must be escaped inside strings and are not whitespace outside
/// them); an event stored before this existed, or with nothing to strip, is the JSON as read and
/// passes through unchanged. A field is left in place whenever its raw
/// text differs from the column's (escapes such as Go's <c>\u0026</c>, nanosecond or offset timestamps,
/// a nested field of the same name): only exact copies are removed. This matters for size: an auditID
/// is 36 random characters and the timestamps' digits change with every event, which is what zstd's
/// dictionary cannot predict.
/// </remarks>
internal static class EventFields
{
    /// <summary>The apiserver's MicroTime format (RFC 3339, six fraction digits, UTC).</summary>
    private const string MicroTime = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>First byte of a stripped event; JSON as read (stored before this existed, or with nothing to strip) starts otherwise.</summary>
    private const byte Marker = 0;

    /// <summary>Longest column value compared (longer ones are rare and stay in the frame); the scan stops once every field is found.</summary>
    private const int ComparedBytes = 2048;

    private const int AllFields = 0b111_1110;

    private static readonly (byte Code, byte[] Name)[] Fields =
    [
        (1, "auditID"u8.ToArray()),
        (2, "requestURI"u8.ToArray()),
        (3, "verb"u8.ToArray()),
        (4, "userAgent"u8.ToArray()),
        (5, "requestReceivedTimestamp"u8.ToArray()),
        (6, "stageTimestamp"u8.ToArray()),
    ];

    /// <summary>The JSON with every top-level field that a column reproduces exactly replaced by its code.</summary>
    public static byte[] Strip(ReadOnlySpan<byte> json, in ColumnValues columns)
    {
        if (json.IndexOfAnyInRange(Marker, (byte)Fields.Length) >= 0)
        {
            return json.ToArray(); // not valid JSON; kept as read, and the marker below stays unambiguous
        }

        try
        {
            return StripFields(json, columns) ?? json.ToArray();
        }
        catch (JsonException)
        {
            return json.ToArray(); // the reader accepted what System.Text.Json does not: keep it whole
        }
    }

    private static byte[]? StripFields(ReadOnlySpan<byte> json, in ColumnValues columns)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(json.Length);
        output.Write([Marker]);
        var copied = 0;
        var found = 0;
        Span<byte> column = stackalloc byte[ComparedBytes];
        while (found != AllFields && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var code = CodeOf(ref reader);
            if (!reader.Read())
            {
                break;
            }

            if (code != 0 && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                && columns.TryWriteUtf8(code, column, out var length) && reader.ValueSpan.SequenceEqual(column[..length]))
            {
                found |= 1 << code;
                // TokenStartIndex is the opening quote; the value ends at the closing one.
                var start = (int)reader.TokenStartIndex;
                output.Write(json[copied..start]);
                output.Write([code]);
                copied = (int)reader.BytesConsumed;
            }
            else
            {
                reader.Skip();
            }
        }

        if (copied == 0)
        {
            return null;
        }

        output.Write(json[copied..]);
        return output.WrittenSpan.ToArray();
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

    private static byte CodeOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return 0;
        }

        foreach (var (code, name) in Fields)
        {
            if (reader.ValueSpan.SequenceEqual(name))
            {
                return code;
            }
        }

        return 0;
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
                5 or 6 => (code == 5 ? Received : Time) is { } time
                    && time.UtcDateTime.TryFormat(destination, out written, MicroTime, CultureInfo.InvariantCulture),
                _ => Text(code) is { } text && Encoding.UTF8.TryGetBytes(text, destination, out written),
            };
        }

        private static string? Format(DateTimeOffset? time) => time?.UtcDateTime.ToString(MicroTime, CultureInfo.InvariantCulture);
    }
}
