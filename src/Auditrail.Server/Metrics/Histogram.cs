namespace Auditrail.Server.Metrics;

/// <summary>
/// Observations counted into fixed buckets, as a Prometheus histogram: cheap to record from many
/// threads at once (one Interlocked increment, one add), and quantiles are computed by the server that
/// scrapes (<c>histogram_quantile</c>), across replicas too.
/// </summary>
public sealed class Histogram
{
    /// <summary>
    /// Request latencies in seconds, 1 ms to 10 s: an admission webhook is given at most 30 s and is
    /// expected to answer in milliseconds.
    /// </summary>
    public static readonly IReadOnlyList<double> LatencySecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly double[] _upperBounds;
    private readonly long[] _counts;
    private double _sum;

    /// <param name="upperBounds">Bucket upper bounds, strictly increasing; <c>+Inf</c> is added.</param>
    public Histogram(IReadOnlyList<double> upperBounds)
    {
        ArgumentNullException.ThrowIfNull(upperBounds);
        for (var i = 1; i < upperBounds.Count; i++)
        {
            if (!(upperBounds[i] > upperBounds[i - 1]))
            {
                throw new ArgumentException("bucket bounds must be strictly increasing", nameof(upperBounds));
            }
        }

        _upperBounds = [.. upperBounds];
        _counts = new long[_upperBounds.Length + 1];
    }

    /// <summary>Records one observation.</summary>
    public void Observe(double value)
    {
        var bucket = Array.BinarySearch(_upperBounds, value);
        Interlocked.Increment(ref _counts[bucket >= 0 ? bucket : ~bucket]);
        double seen, updated;
        do
        {
            seen = Volatile.Read(ref _sum);
            updated = seen + value;
        }
        while (Interlocked.CompareExchange(ref _sum, updated, seen) != seen);
    }

    /// <summary>Records a duration in seconds.</summary>
    public void Observe(TimeSpan duration) => Observe(duration.TotalSeconds);

    /// <summary>Cumulative counts per upper bound (the last is <c>+Inf</c>), the total count and the sum.</summary>
    public HistogramSnapshot Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return new HistogramSnapshot(_upperBounds, cumulative, Volatile.Read(ref _sum));
    }
}

/// <summary>A histogram at one moment; <see cref="CumulativeCounts"/> has one more entry than <see cref="UpperBounds"/>, for <c>+Inf</c>.</summary>
public sealed record HistogramSnapshot(IReadOnlyList<double> UpperBounds, IReadOnlyList<long> CumulativeCounts, double Sum)
{
    /// <summary>Observations in all.</summary>
    public long Count => CumulativeCounts[^1];
}
