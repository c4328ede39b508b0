namespace Auditrail.Detection.Sinks;

/// <summary>How the dispatcher treats one sink: what it wants, how much may wait, how fast and how persistently it is fed.</summary>
public sealed record SinkOptions
{
    /// <summary>Which alerts go to the sink.</summary>
    public AlertFilter Filter { get; init; } = AlertFilter.All;

    /// <summary>Alerts that may wait for the sink; past this the oldest are dropped (and counted) so the pipeline never waits.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>The most alerts handed to the sink in one call.</summary>
    public int MaxBatchSize { get; init; } = 100;

    /// <summary>Same rule, identity and target within this event-time window become one alert with a count; null turns dedup off.</summary>
    public TimeSpan? DedupWindow { get; init; }

    /// <summary>Sustained alerts per second the sink is sent; null for no limit.</summary>
    public double? RatePerSecond { get; init; }

    /// <summary>How many alerts may go at once before the rate limit applies; defaults to the batch size.</summary>
    public int? Burst { get; init; }

    /// <summary>Retries for transient failures.</summary>
    public RetryPolicy Retry { get; init; } = new();
}
