using System.Globalization;
using Auditrail.Bench;

namespace Auditrail.AdmissionLoad;

/// <summary>What to send, where, how hard and for how long. Every run is bounded in time and in count.</summary>
internal sealed record LoadOptions
{
    public Uri Url { get; init; } = new("http://127.0.0.1:8443");

    /// <summary>validate, mutate, or both (each review goes to /mutate then /validate, as the apiserver calls them).</summary>
    public string Endpoint { get; init; } = "both";

    public int Concurrency { get; init; } = 16;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    public long MaxRequests { get; init; } = 5_000_000;

    public string? CaFile { get; init; }

    public bool Http2 { get; init; }

    public int Reviews { get; init; } = 500;

    public bool Json { get; init; }

    private static readonly string[] Endpoints = ["validate", "mutate", "both"];

    public const string Usage = """
        usage: Auditrail.AdmissionLoad [--url URL] [--endpoint validate|mutate|both] [--concurrency N]
                                       [--seconds N] [--warmup N] [--max-requests N] [--ca FILE] [--http2]
                                       [--reviews N] [--json]
        Posts AdmissionReviews of realistic workloads to a running `auditrail serve` at a fixed number of
        requests in flight, then prints reviews/s and latency percentiles. Waits up to 30 s for /readyz first.
        """;

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        var arguments = new ToolArguments(args);
        while (arguments.MoveNext())
        {
            options = arguments.Current switch
            {
                "--url" => options with { Url = new Uri(arguments.Value()) },
                "--endpoint" => options with { Endpoint = Endpoints.Contains(arguments.Value()) ? arguments.Current : throw new ArgumentException("--endpoint is validate, mutate or both") },
                "--concurrency" => options with { Concurrency = Math.Max(1, arguments.Int()) },
                "--seconds" => options with { Duration = TimeSpan.FromSeconds(arguments.Int()) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(arguments.Int()) },
                "--max-requests" => options with { MaxRequests = long.Parse(arguments.Value(), NumberStyles.None, CultureInfo.InvariantCulture) },
                "--ca" => options with { CaFile = arguments.Value() },
                "--http2" => options with { Http2 = true },
                "--reviews" => options with { Reviews = Math.Max(1, arguments.Int()) },
                "--json" => options with { Json = true },
                _ => throw arguments.Unknown(),
            };
        }

        ToolArguments.RequireLoopback(options.Url);
        return options;
    }
}
