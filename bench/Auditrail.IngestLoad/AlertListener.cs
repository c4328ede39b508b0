using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Auditrail.IngestLoad;

/// <summary>
/// The receiving end of the server's webhook sink: a loopback HTTP listener that notes, for every
/// auditID named by an arriving alert, when it arrived (Stopwatch ticks) and how often.
/// </summary>
internal sealed class AlertListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public AlertListener(int port)
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>First arrival of each auditID named in an alert.</summary>
    public ConcurrentDictionary<string, long> Arrivals { get; } = new(StringComparer.Ordinal);

    /// <summary>Alerts naming an auditID that had already arrived (the sink or the server repeated one).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Alerts => Interlocked.Read(ref _alerts);

    private long _duplicates;
    private long _alerts;

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ReceiveAsync(context));
        }
    }

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.InputStream);
            foreach (var alert in document.RootElement.EnumerateArray())
            {
                Interlocked.Increment(ref _alerts);
                foreach (var id in alert.GetProperty("auditIDs").EnumerateArray())
                {
                    if (!Arrivals.TryAdd(id.GetString()!, arrived))
                    {
                        Interlocked.Increment(ref _duplicates);
                    }
                }
            }

            context.Response.StatusCode = 200;
        }
        catch (JsonException)
        {
            context.Response.StatusCode = 400;
        }

        context.Response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
