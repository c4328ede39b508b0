namespace Auditrail.Detection.Sinks;

/// <summary>
/// A token bucket: <see cref="Capacity"/> alerts may go at once, then <see cref="RatePerSecond"/> per second.
/// Time comes from a <see cref="TimeProvider"/> so tests control refills. Used by one sink worker at a time.
/// </summary>
internal sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private double _tokens;
    private long _lastRefill;

    public TokenBucket(double ratePerSecond, int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        RatePerSecond = ratePerSecond;
        Capacity = capacity;
        _time = time;
        _tokens = capacity;
        _lastRefill = time.GetTimestamp();
    }

    public double RatePerSecond { get; }

    public int Capacity { get; }

    /// <summary>Takes <paramref name="count"/> tokens if there are enough and returns zero; otherwise how long until there will be.</summary>
    public TimeSpan TryTake(int count)
    {
        Refill();
        if (_tokens >= count)
        {
            _tokens -= count;
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds((count - _tokens) / RatePerSecond);
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_lastRefill, now);
        _lastRefill = now;
        _tokens = Math.Min(Capacity, _tokens + (elapsed.TotalSeconds * RatePerSecond));
    }
}
