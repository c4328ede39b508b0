using System.Buffers;
using System.Text.Json;

namespace Auditrail.Core.Redaction;

/// <summary>
/// Removes secret values from audit.k8s.io Events before they are stored, printed or forwarded.
/// </summary>
/// <remarks>
/// The hot path calls <see cref="MayNeedRedaction(ReadOnlySpan{byte})"/> on every event and <see cref="Redact"/> only when it answers
/// true. What is redacted, always by replacing the value with <see cref="Placeholder"/> and keeping the key:
/// <list type="bullet">
/// <item><c>data</c> and <c>stringData</c> values of Secrets anywhere in requestObject/responseObject (any key order,
/// lists, Table rows, watch events, embedded objects), and of every body of a core-group <c>secrets</c> request
/// (patches, list items without kind); JSON Patch values aimed at them;</item>
/// <item>the <c>kubectl.kubernetes.io/last-applied-configuration</c> annotation of Secrets, and of any object
/// whose annotation embeds something redactable;</item>
/// <item><c>token</c> in TokenRequest and TokenReview objects and in the bodies of their requests;</item>
/// <item>the credential after <c>Bearer</c> in every string outside the bodies and in annotations inside them,
/// and credential query parameters (<c>token</c>, <c>access_token</c>, <c>client_secret</c>, ...) of requestURI.</item>
/// </list>
/// ConfigMaps are not Secrets in Kubernetes' model and are left alone.
/// </remarks>
public static class EventRedactor
{
    /// <summary>What replaces every redacted value.</summary>
    public const string Placeholder = "[REDACTED]";

    // Well above the reader's default limit (256), so that any event the reader accepts can be redacted; an event
    // beyond it is refused (nothing written) rather than passed through unread. The walk recurses per level, and
    // this depth stays far from the stack limit.
    private const int MaxDepth = 1024;

    internal static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    internal static readonly JsonWriterOptions WriterOptions = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// Allocation-free pre-check on the raw event: false means the event certainly holds nothing
    /// <see cref="Redact"/> would remove; true means it may.
    /// </summary>
    public static bool MayNeedRedaction(ReadOnlySpan<byte> eventJson) => RedactionPrefilter.MayNeedRedaction(eventJson);

    /// <summary>
    /// The same pre-check, told whether the event carries request or response bodies: without bodies only
    /// credentials in text can need redaction, which spares bodiless events about Secrets the full pass.
    /// </summary>
    public static bool MayNeedRedaction(ReadOnlySpan<byte> eventJson, bool hasBodies) => RedactionPrefilter.MayNeedRedaction(eventJson, hasBodies);

    /// <summary>
    /// Writes the event with secret values replaced to <paramref name="output"/> and says what was replaced; an event
    /// with nothing to replace is written exactly as it came. Does not throw on bad input: an input that cannot be
    /// read as a JSON object (malformed, too deep, invalid UTF-8 or UTF-16 escapes) is reported as not
    /// <see cref="RedactionResult.Parsed"/> and nothing is written, because an event that cannot be read cannot be
    /// shown to be free of secrets.
    /// </summary>
    public static RedactionResult Redact(ReadOnlySpan<byte> eventJson, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);

        // JsonDocument reads from memory, not a span; a pooled copy avoids allocating one per event.
        var copy = ArrayPool<byte>.Shared.Rent(eventJson.Length);
        try
        {
            eventJson.CopyTo(copy);
            using var document = TryParse(copy.AsMemory(0, eventJson.Length));
            if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return RedactionResult.Unparsable;
            }

            // Staged, so that output receives a whole event or nothing, even if a string fails to decode halfway.
            using var staged = new PooledBufferWriter(eventJson.Length);
            if (!TryWriteRedacted(document.RootElement, staged, out var paths))
            {
                return RedactionResult.Unparsable;
            }

            output.Write(paths.Count == 0 ? eventJson : staged.WrittenSpan);
            return new RedactionResult(paths);
        }
        finally
        {
            // The copy holds the very secrets being removed; the next renter must not find them.
            ArrayPool<byte>.Shared.Return(copy, clearArray: true);
        }
    }

    /// <summary>Replaces the credential after every <c>Bearer</c> (any case) in free text, keeping the rest.</summary>
    public static string RedactBearerTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CredentialText.RedactBearerTokens(text, out _);
    }

    private static bool TryWriteRedacted(JsonElement auditEvent, IBufferWriter<byte> staged, out IReadOnlyList<string> paths)
    {
        using var writer = new Utf8JsonWriter(staged, WriterOptions);
        var redactor = new RedactingWriter(writer);
        try
        {
            redactor.WriteEvent(auditEvent);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // JsonDocument accepts escapes such as a lone "\ud800" that cannot be decoded to text; reading
            // such a string throws, and the event goes unparsed rather than unredacted.
            paths = [];
            return false;
        }

        writer.Flush();
        paths = redactor.RedactedPaths;
        return true;
    }

    private static JsonDocument? TryParse(ReadOnlyMemory<byte> json)
    {
        try
        {
            return JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
