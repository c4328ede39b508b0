namespace Auditrail.Detection.Stateful;

/// <summary>How the engine runs: the cluster name for alerts, the bounds on state and the tolerance for late events.</summary>
public sealed record DetectionOptions
{
    public const int DefaultMaxKeys = 1_000_000;

    public static DetectionOptions Default { get; } = new();

    /// <summary>Stamped on alerts whose events carry no cluster name.</summary>
    public string? Cluster { get; init; }

    /// <summary>Keys each stateful rule may hold before the least recent are evicted.</summary>
    public int MaxKeys { get; init; } = DefaultMaxKeys;

    /// <summary>
    /// How far behind the newest event time an event may arrive and still count in stateful rules.
    /// Logs from several apiservers interleave a little; anything older is counted as late and left to
    /// stateless rules only, so it cannot corrupt windows that have moved on.
    /// </summary>
    public TimeSpan LateTolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Learn baselines without alerting (for <c>auditrail baseline learn</c>).</summary>
    public bool LearnOnly { get; init; }
}
