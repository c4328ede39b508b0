using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// The one HTTP call every HTTP sink makes: POST a JSON body, turn the answer into success, a transient failure
/// (5xx, 429, 408, timeouts, connection errors, with <c>Retry-After</c>) or a permanent one. Error messages carry
/// the sink name and status but never the URL's query or the token, which may be secrets (Slack puts one in the path).
/// </summary>
internal static class JsonPost
{
    public static async ValueTask SendAsync(
        HttpClient client, Uri endpoint, string sinkName, string? bearerToken, Action<Utf8JsonWriter> writeBody, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writeBody(writer);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content = content;
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskCanceledException timeout) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation; only the caller's token means "stop".
            throw new AlertSinkException($"sink '{sinkName}': request to {endpoint.Host} timed out", isTransient: true, innerException: timeout);
        }
        catch (HttpRequestException connection)
        {
            throw new AlertSinkException($"sink '{sinkName}': cannot reach {endpoint.Host}: {connection.HttpRequestError}", isTransient: true, innerException: connection);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var status = response.StatusCode;
            throw new AlertSinkException(
                $"sink '{sinkName}': {endpoint.Host} answered {(int)status} {status}",
                IsTransientStatus(status),
                RetryAfter(response));
        }
    }

    public static bool IsTransientStatus(HttpStatusCode status) =>
        status == HttpStatusCode.TooManyRequests || status == HttpStatusCode.RequestTimeout || (int)status >= 500;

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        // Retry-After may also be an HTTP date; measure it against the server's own Date so clock skew does not matter.
        return header?.Date is { } date && response.Headers.Date is { } sent ? date - sent : null;
    }

    public static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
