using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Auditrail.Core.Model;

namespace Auditrail.Server.Ingest;

/// <summary>
/// Writes one audit event as a single JSON line with <c>annotations["auditrail.io/cluster"]</c> set, so
/// every later stage (detection, the store, alerts) knows which cluster it came from without a side
/// channel. One server can then take several clusters, and a sender cannot claim another cluster's
/// name: a value already in the event is overwritten.
/// </summary>
/// <remarks>
/// The event's bytes are spliced rather than re-serialized: the reader finds where the annotation goes,
/// and everything else is copied as is, which keeps stamping far cheaper than parsing into a DOM. Line
/// breaks can only be whitespace in JSON (a string cannot hold a raw one), so a pretty-printed event
/// becomes one line by turning them into spaces.
/// </remarks>
public static class ClusterStamp
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Default;

    /// <summary>
    /// Appends <paramref name="eventJson"/> (one JSON object) stamped with <paramref name="cluster"/>,
    /// followed by <c>\n</c>, to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="JsonException">The bytes are not one well-formed JSON object.</exception>
    public static void WriteLine(ReadOnlySpan<byte> eventJson, string cluster, IBufferWriter<byte> output) =>
        WriteLine(eventJson, EncodeCluster(cluster), output);

    /// <summary>The cluster name as <see cref="WriteLine(ReadOnlySpan{byte}, JsonEncodedText, IBufferWriter{byte})"/> takes it: encode once per batch, not per event.</summary>
    public static JsonEncodedText EncodeCluster(string cluster) => JsonEncodedText.Encode(cluster, Encoder);

    /// <summary>As <see cref="WriteLine(ReadOnlySpan{byte}, string, IBufferWriter{byte})"/>, with the cluster already encoded by <see cref="EncodeCluster"/>.</summary>
    /// <exception cref="JsonException">The bytes are not one well-formed JSON object.</exception>
    public static void WriteLine(ReadOnlySpan<byte> eventJson, JsonEncodedText cluster, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var value = cluster.EncodedUtf8Bytes;
        var plan = Plan(eventJson);
        var start = output.GetSpan(eventJson.Length + value.Length + 64);
        var written = 0;

        void Copy(ReadOnlySpan<byte> from, Span<byte> to) => from.CopyTo(to[written..]);

        switch (plan.Kind)
        {
            case SpliceKind.ReplaceValue:
                Copy(eventJson[..plan.Position], start);
                written += plan.Position;
                written += WriteString(value, start[written..]);
                Copy(eventJson[plan.End..], start);
                written += eventJson.Length - plan.End;
                break;

            case SpliceKind.InsertIntoAnnotations:
                Copy(eventJson[..plan.Position], start);
                written += plan.Position;
                written += WriteMember(value, start[written..], trailingComma: !plan.EmptyObject);
                Copy(eventJson[plan.Position..], start);
                written += eventJson.Length - plan.Position;
                break;

            case SpliceKind.ReplaceAnnotationsValue:
                Copy(eventJson[..plan.Position], start);
                written += plan.Position;
                start[written++] = (byte)'{';
                written += WriteMember(value, start[written..], trailingComma: false);
                start[written++] = (byte)'}';
                Copy(eventJson[plan.End..], start);
                written += eventJson.Length - plan.End;
                break;

            default:
                Copy(eventJson[..plan.Position], start);
                written += plan.Position;
                "\"annotations\":{"u8.CopyTo(start[written..]);
                written += 15;
                written += WriteMember(value, start[written..], trailingComma: false);
                start[written++] = (byte)'}';
                if (!plan.EmptyObject)
                {
                    start[written++] = (byte)',';
                }

                Copy(eventJson[plan.Position..], start);
                written += eventJson.Length - plan.Position;
                break;
        }

        var line = start[..written];
        line.Replace((byte)'\n', (byte)' ');
        line.Replace((byte)'\r', (byte)' ');
        start[written++] = (byte)'\n';
        output.Advance(written);
    }

    private static int WriteMember(ReadOnlySpan<byte> value, Span<byte> destination, bool trailingComma)
    {
        var written = 0;
        destination[written++] = (byte)'"';
        WellKnown.ClusterAnnotationName.AsSpan().ToUtf8(destination[written..], out var nameLength);
        written += nameLength;
        destination[written++] = (byte)'"';
        destination[written++] = (byte)':';
        written += WriteString(value, destination[written..]);
        if (trailingComma)
        {
            destination[written++] = (byte)',';
        }

        return written;
    }

    private static int WriteString(ReadOnlySpan<byte> encodedValue, Span<byte> destination)
    {
        destination[0] = (byte)'"';
        encodedValue.CopyTo(destination[1..]);
        destination[encodedValue.Length + 1] = (byte)'"';
        return encodedValue.Length + 2;
    }

    private static void ToUtf8(this ReadOnlySpan<char> text, Span<byte> destination, out int length) =>
        length = System.Text.Encoding.UTF8.GetBytes(text, destination);

    private enum SpliceKind
    {
        /// <summary>The event has no annotations: insert the whole member after the event's opening brace.</summary>
        InsertAnnotations,

        /// <summary>Annotations exist without the key: insert the member after their opening brace.</summary>
        InsertIntoAnnotations,

        /// <summary>The key exists: replace its value (the string token, quotes included).</summary>
        ReplaceValue,

        /// <summary><c>"annotations": null</c>: replace the null with an object.</summary>
        ReplaceAnnotationsValue,
    }

    private readonly record struct Splice(SpliceKind Kind, int Position, int End, bool EmptyObject);

    /// <summary>Reads the event once to find where the annotation goes; validates it is one object.</summary>
    private static Splice Plan(ReadOnlySpan<byte> eventJson)
    {
        var reader = new Utf8JsonReader(eventJson, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("an audit event must be a JSON object");
        }

        var afterOpenBrace = (int)reader.BytesConsumed;
        Splice? found = null;
        var memberCount = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            memberCount++;
            var isAnnotations = reader.ValueTextEquals("annotations"u8);
            reader.Read();
            if (isAnnotations && found is null)
            {
                found = PlanAnnotations(ref reader);
                continue;
            }

            reader.Skip();
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() && reader.TokenType != JsonTokenType.None)
        {
            throw new JsonException("an audit event must be exactly one JSON object");
        }

        if (reader.BytesConsumed < eventJson.Length && !eventJson[(int)reader.BytesConsumed..].Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new JsonException("unexpected data after the audit event's closing brace");
        }

        return found ?? new Splice(SpliceKind.InsertAnnotations, afterOpenBrace, afterOpenBrace, EmptyObject: memberCount == 0);
    }

    private static Splice PlanAnnotations(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            var position = (int)reader.TokenStartIndex;
            return new Splice(SpliceKind.ReplaceAnnotationsValue, position, position + 4, EmptyObject: true);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("$.annotations must be an object of strings");
        }

        var afterOpenBrace = (int)reader.BytesConsumed;
        Splice? existing = null;
        var memberCount = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            memberCount++;
            var isCluster = reader.ValueTextEquals(WellKnown.ClusterAnnotationName);
            reader.Read();
            if (isCluster && reader.TokenType == JsonTokenType.String)
            {
                // The last duplicate is the one the event parser keeps, so that is the one replaced.
                var start = (int)reader.TokenStartIndex;
                existing = new Splice(SpliceKind.ReplaceValue, start, (int)reader.BytesConsumed, EmptyObject: false);
            }
            else
            {
                reader.Skip();
            }
        }

        return existing ?? new Splice(SpliceKind.InsertIntoAnnotations, afterOpenBrace, afterOpenBrace, EmptyObject: memberCount == 0);
    }
}
