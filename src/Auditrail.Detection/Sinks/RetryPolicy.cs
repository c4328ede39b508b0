namespace Auditrail.Detection.Sinks;

/// <summary>
/// How a sink retries transient failures: up to <see cref="MaxAttempts"/> attempts in all, waiting
/// <see cref="BaseDelay"/> × 2^(attempt−1), capped at <see cref="MaxDelay"/>, with "equal jitter" (half fixed,
/// half random) so many servers retrying a recovering receiver do not arrive in lockstep.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts including the first; 1 means no retry.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait before the first retry, before jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between attempts, before honouring a receiver's <c>Retry-After</c>.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based), given a random draw in [0, 1).</summary>
    public TimeSpan DelayAfter(int attempt, double random, TimeSpan? retryAfter = null)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        var jittered = TimeSpan.FromMilliseconds((capped / 2) + (capped / 2 * random));
        // A receiver's Retry-After is honoured, but never beyond MaxDelay, so one bad header cannot park a sink for hours.
        return retryAfter is { } asked && asked > jittered ? (asked < MaxDelay ? asked : MaxDelay) : jittered;
    }
}
