using Auditrail.Bench;

namespace Auditrail.IngestLoad;

/// <summary>What to send, where, how hard and for how long. Every run is bounded in time.</summary>
internal sealed record IngestLoadOptions
{
    public Uri Url { get; init; } = new("http://127.0.0.1:8443");

    /// <summary>The ingest path, with the cluster name as one apiserver's kubeconfig would give it.</summary>
    public string IngestPath { get; init; } = "/audit/webhook/bench";

    public string? TokenFile { get; init; }

    public int AlertPort { get; init; } = 18099;

    public int Connections { get; init; } = 8;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Generated events in the replayed pool (each replay stamps new auditIDs).</summary>
    public int PoolEvents { get; init; } = 200_000;

    public int BatchSize { get; init; } = 400;

    /// <summary>Paces the senders to this many events per second; null sends as fast as the server acknowledges.</summary>
    public double? EventsPerSecond { get; init; }

    /// <summary>One event in this many is a trigger of the stateless rule.</summary>
    public int TriggerEvery { get; init; } = 1000;

    /// <summary>
    /// The first wait after a 429. kube-apiserver starts at --audit-webhook-initial-backoff (10 s by
    /// default); a shorter one keeps a short run from idling, and doubles the same way.
    /// </summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for the server to store every acknowledged event and send every alert.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public bool Json { get; init; }

    public const string Usage = """
        usage: Auditrail.IngestLoad --token-file FILE [--url URL] [--path /audit/webhook/NAME] [--alert-port N]
                                    [--connections N] [--seconds N] [--pool-events N] [--batch N]
                                    [--trigger-every N] [--backoff-ms N] [--rate EVENTS/S] [--json]
        Posts audit.k8s.io/v1 EventList batches of generated traffic to a running `auditrail serve` whose
        webhook sink points at http://127.0.0.1:ALERT-PORT/, then reports acknowledged events/s, 429s, events
        lost (acknowledged but not stored), how fast the server stored them, and event-to-alert latency of the
        trigger events. --rate paces the senders, to measure latency at a load the server keeps up with.
        """;

    public static IngestLoadOptions Parse(string[] args)
    {
        var options = new IngestLoadOptions();
        var arguments = new ToolArguments(args);
        while (arguments.MoveNext())
        {
            options = arguments.Current switch
            {
                "--url" => options with { Url = new Uri(arguments.Value()) },
                "--path" => options with { IngestPath = arguments.Value() },
                "--token-file" => options with { TokenFile = arguments.Value() },
                "--alert-port" => options with { AlertPort = arguments.Int() },
                "--connections" => options with { Connections = Math.Max(1, arguments.Int()) },
                "--seconds" => options with { Duration = TimeSpan.FromSeconds(arguments.Int()) },
                "--pool-events" => options with { PoolEvents = Math.Max(1000, arguments.Int()) },
                "--batch" => options with { BatchSize = Math.Max(1, arguments.Int()) },
                "--rate" => options with { EventsPerSecond = Math.Max(1, arguments.Int()) },
                "--trigger-every" => options with { TriggerEvery = arguments.Int() },
                "--backoff-ms" => options with { InitialBackoff = TimeSpan.FromMilliseconds(arguments.Int()) },
                "--json" => options with { Json = true },
                _ => throw arguments.Unknown(),
            };
        }

        ToolArguments.RequireLoopback(options.Url);
        return options.TokenFile is null ? throw new ArgumentException("--token-file is required") : options;
    }
}
