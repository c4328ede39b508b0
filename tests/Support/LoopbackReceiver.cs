using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Auditrail.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1 that records every request and answers from a script (default 200):
/// the receiving end of the HTTP alert sinks in the sink, server and end-to-end tests and in the ingest
/// load benchmark.
/// </summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(HttpStatusCode Status, string? RetryAfter)> _script = new();
    private readonly Task _loop;

    /// <summary>Listens on <paramref name="port"/>, or on a free port when it is 0.</summary>
    public LoopbackReceiver(int port = 0)
    {
        if (port == 0)
        {
            // HttpListener cannot bind port 0, so borrow a free port from the OS first.
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUri.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Delay before each answer, to play a slow receiver.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>The next <paramref name="times"/> requests get <paramref name="status"/>; later ones 200.</summary>
    public void FailNext(int times, HttpStatusCode status, string? retryAfter = null)
    {
        for (var i = 0; i < times; i++)
        {
            _script.Enqueue((status, retryAfter));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var received = System.Diagnostics.Stopwatch.GetTimestamp();
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync().ConfigureAwait(false);
        Requests.Enqueue(new RecordedRequest(
            context.Request.HttpMethod,
            context.Request.Url!.AbsolutePath,
            context.Request.Headers["Authorization"],
            context.Request.ContentType,
            body,
            context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase),
            received));
        if (AnswerDelay > TimeSpan.Zero)
        {
            await Task.Delay(AnswerDelay).ConfigureAwait(false);
        }

        var (status, retryAfter) = _script.TryDequeue(out var scripted) ? scripted : (HttpStatusCode.OK, null);
        context.Response.StatusCode = (int)status;
        if (retryAfter is not null)
        {
            context.Response.Headers["Retry-After"] = retryAfter;
        }

        context.Response.Close();
    }
}

/// <param name="Received">When the request arrived (Stopwatch ticks), before its body was read.</param>
internal sealed record RecordedRequest(string Method, string Path, string? Authorization, string? ContentType, string Body, IReadOnlyDictionary<string, string> Headers, long Received)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
