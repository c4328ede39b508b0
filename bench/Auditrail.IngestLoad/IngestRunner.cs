using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Auditrail.IngestLoad;

/// <summary>What one run measured on the sending side.</summary>
/// <param name="AckedRequests">Distinct requests (auditIDs) among the acknowledged events: what the store should hold.</param>
internal sealed record SendResult(long AckedEvents, long AckedRequests, long AckedBatches, long TooManyRequests, long FailedBatches, TimeSpan Elapsed, long[] AckedPerSecond)
{
    public double EventsPerSecond => AckedEvents / Elapsed.TotalSeconds;
}

/// <summary>
/// Posts EventList batches over <see cref="IngestLoadOptions.Connections"/> kept-alive connections, one
/// batch in flight per connection, as kube-apiserver's batch backend does. A 429 or a 5xx is retried
/// with exponential backoff, as the apiserver retries; the time each trigger event's batch was
/// accepted (the start of the POST that got 200) is noted for the event-to-alert latency.
/// </summary>
internal sealed class IngestRunner(IngestLoadOptions options, IReadOnlyList<PoolBatch> pool, string token) : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _client = new(new SocketsHttpHandler { MaxConnectionsPerServer = options.Connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = options.Url,
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    /// <summary>When each trigger auditID's batch was accepted (Stopwatch ticks).</summary>
    public ConcurrentDictionary<string, long> TriggersSent { get; } = new(StringComparer.Ordinal);

    public HttpClient Client => _client;

    public async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            try
            {
                using var response = await _client.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{options.Url} was not ready within {limit.TotalSeconds} s");
    }

    /// <summary>When <see cref="RunAsync"/> started sending (Stopwatch ticks).</summary>
    public long Started { get; private set; }

    public async Task<SendResult> RunAsync()
    {
        long next = -1, ackedEvents = 0, ackedRequests = 0, ackedBatches = 0, tooMany = 0, failed = 0;
        var batchInterval = options.EventsPerSecond is { } rate ? TimeSpan.FromSeconds(options.BatchSize / rate) : TimeSpan.Zero;
        var seconds = (int)Math.Ceiling(options.Duration.TotalSeconds) + 1;
        var perSecond = new long[seconds + 120];
        var clock = Stopwatch.StartNew();
        Started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, options.Connections).Select(_ => Task.Run(async () =>
        {
            var buffer = new byte[pool.Max(b => b.Body.Length)];
            while (clock.Elapsed < options.Duration)
            {
                var index = Interlocked.Increment(ref next);
                if (batchInterval > TimeSpan.Zero && batchInterval * index - clock.Elapsed is { } wait && wait > TimeSpan.Zero)
                {
                    // A paced run: batch i leaves at i × batch interval, as a cluster of a given event rate sends them.
                    await Task.Delay(wait);
                }

                if (clock.Elapsed >= options.Duration)
                {
                    break;
                }

                var batch = pool[(int)(index % pool.Count)];
                var round = (int)(index / pool.Count);
                batch.Body.CopyTo(buffer, 0);
                BatchCorpus.Stamp(buffer.AsSpan(0, batch.Body.Length), batch.AuditIdOffsets, round);
                var (accepted, refusals, started) = await SendWithRetriesAsync(buffer.AsMemory(0, batch.Body.Length));
                Interlocked.Add(ref tooMany, refusals);
                if (!accepted)
                {
                    Interlocked.Increment(ref failed);
                    continue;
                }

                Interlocked.Add(ref ackedEvents, batch.AuditIdOffsets.Length);
                Interlocked.Add(ref ackedRequests, batch.NewRequests);
                Interlocked.Increment(ref ackedBatches);
                Interlocked.Add(ref perSecond[Math.Min((int)clock.Elapsed.TotalSeconds, perSecond.Length - 1)], batch.AuditIdOffsets.Length);
                foreach (var trigger in batch.TriggerIndexes)
                {
                    TriggersSent[BatchCorpus.AuditIdAt(buffer, batch.AuditIdOffsets[trigger])] = started;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        return new SendResult(ackedEvents, ackedRequests, ackedBatches, tooMany, failed, elapsed, perSecond[..(int)Math.Ceiling(elapsed.TotalSeconds)]);
    }

    /// <summary>Posts until 200 (true), or a status the apiserver would not retry (false); counts the 429s on the way.</summary>
    private async Task<(bool Accepted, long TooManyRequests, long Started)> SendWithRetriesAsync(ReadOnlyMemory<byte> body)
    {
        var backoff = options.InitialBackoff;
        long refusals = 0;
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            HttpStatusCode status;
            try
            {
                using var content = new ReadOnlyMemoryContent(body);
                content.Headers.ContentType = Json;
                using var response = await _client.PostAsync(options.IngestPath, content);
                status = response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                status = HttpStatusCode.ServiceUnavailable;
            }

            if (status == HttpStatusCode.OK)
            {
                return (true, refusals, started);
            }

            if (status == HttpStatusCode.TooManyRequests)
            {
                refusals++;
            }
            else if ((int)status < 500 || attempt >= 10)
            {
                Console.Error.WriteLine($"batch refused: {(int)status} {status}");
                return (false, refusals, started);
            }

            await Task.Delay(backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
        }
    }

    public void Dispose() => _client.Dispose();
}
