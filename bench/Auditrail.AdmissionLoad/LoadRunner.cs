using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Auditrail.AdmissionLoad;

/// <summary>What one run measured.</summary>
internal sealed record LoadResult(long Reviews, long Failures, long Denied, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double ReviewsPerSecond => Reviews / Elapsed.TotalSeconds;

    /// <summary>The nearest-rank percentile of the sorted latencies.</summary>
    public double Percentile(double p) =>
        LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[Math.Clamp((int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];
}

/// <summary>
/// Keeps <see cref="LoadOptions.Concurrency"/> reviews in flight over kept-alive connections (as
/// kube-apiserver does) and times each from send to the last byte of the answer.
/// </summary>
internal sealed class LoadRunner(LoadOptions options, IReadOnlyList<byte[]> bodies) : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _client = new(CreateHandler(options)) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(15) };

    public async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await _client.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (waited.Elapsed < limit)
            {
            }

            if (waited.Elapsed >= limit)
            {
                throw new TimeoutException($"{options.Url} was not ready within {limit.TotalSeconds} s");
            }

            await Task.Delay(200);
        }
    }

    public async Task<LoadResult> RunAsync(TimeSpan duration, long maxRequests)
    {
        var stop = Stopwatch.StartNew();
        long issued = 0, failures = 0, denied = 0;
        var perWorker = new List<long>[options.Concurrency];
        var workers = new Task[options.Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            var latencies = perWorker[w] = new List<long>(1 << 16);
            var worker = w;
            workers[w] = Task.Run(async () =>
            {
                var next = worker;
                while (stop.Elapsed < duration && Interlocked.Increment(ref issued) <= maxRequests)
                {
                    var body = bodies[next % bodies.Count];
                    next += options.Concurrency;
                    foreach (var path in Paths(options.Endpoint))
                    {
                        var started = Stopwatch.GetTimestamp();
                        var (ok, allowed) = await PostAsync(path, body);
                        latencies.Add(Stopwatch.GetTimestamp() - started);
                        if (!ok)
                        {
                            Interlocked.Increment(ref failures);
                        }
                        else if (!allowed)
                        {
                            Interlocked.Increment(ref denied);
                        }
                    }
                }
            });
        }

        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed;
        var all = perWorker.SelectMany(l => l).Select(ticks => ticks * 1000.0 / Stopwatch.Frequency).ToArray();
        Array.Sort(all);
        return new LoadResult(all.Length, failures, denied, elapsed, all);
    }

    private static string[] Paths(string endpoint) => endpoint switch
    {
        "validate" => ["/validate"],
        "mutate" => ["/mutate"],
        _ => ["/mutate", "/validate"],
    };

    private async Task<(bool Ok, bool Allowed)> PostAsync(string path, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = content };
            if (options.Http2)
            {
                request.Version = HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }

            using var response = await _client.SendAsync(request);
            var answer = await response.Content.ReadAsByteArrayAsync();
            return (response.StatusCode == HttpStatusCode.OK, answer.AsSpan().IndexOf("\"allowed\":true"u8) >= 0);
        }
        catch (HttpRequestException)
        {
            return (false, false);
        }
        catch (TaskCanceledException)
        {
            return (false, false);
        }
    }

    private static SocketsHttpHandler CreateHandler(LoadOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Concurrency,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = true,
        };
        if (options.CaFile is { } caFile)
        {
            var trusted = X509CertificateLoader.LoadCertificateFromFile(caFile);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                // Trust exactly the given certificate as root, as the webhook's caBundle does.
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trusted);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            };
        }

        return handler;
    }

    public void Dispose() => _client.Dispose();
}
