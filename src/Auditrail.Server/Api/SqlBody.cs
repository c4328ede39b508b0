using System.Text;
using System.Text.Json;
using Auditrail.Server.Admission;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Auditrail.Server.Api;

/// <summary>
/// The SQL of <c>POST /api/v1/sql</c>: the body itself (any text type), or <c>{"sql": "…"}</c> when the
/// Content-Type is JSON, which is what HTTP clients that only post JSON send.
/// </summary>
internal static class SqlBody
{
    public static async Task<string> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        // The same bounded read the webhooks use: refused up front by Content-Length, or as soon as the body passes the limit.
        using var body = await PooledBody.ReadAsync(request, maxBytes, cancellationToken).ConfigureAwait(false) ?? throw TooLarge(maxBytes);
        var sql = IsJson(request.ContentType) ? FromJson(body.Memory.Span) : DecodeText(body.Memory.Span);
        return string.IsNullOrWhiteSpace(sql) ? throw new BadParameterException("sql", "the body holds no SQL (post the SELECT text, or {\"sql\": \"SELECT …\"} as application/json)") : sql;
    }

    private static string DecodeText(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new BadParameterException("sql", "the body is not UTF-8 text");
        }
    }

    private static string FromJson(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new BadParameterException("sql", "the JSON body must be an object such as {\"sql\": \"SELECT …\"}");
            }

            return document.RootElement.TryGetProperty("sql", out var sql) && sql.ValueKind == JsonValueKind.String
                ? sql.GetString()!
                : throw new BadParameterException("sql", "the JSON body has no string property \"sql\"");
        }
        catch (JsonException ex)
        {
            throw new BadParameterException("sql", $"the body is not JSON: {ex.Message}");
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static RequestTooLargeException TooLarge(int maxBytes) => new($"the SQL body is larger than {maxBytes / 1024} KiB");
}

/// <summary>A request body beyond its endpoint's limit: answered 413.</summary>
internal sealed class RequestTooLargeException(string message) : Exception(message);
