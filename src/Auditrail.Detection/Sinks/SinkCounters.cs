namespace Auditrail.Detection.Sinks;

/// <summary>One sink's counters at a moment, for <c>/metrics</c> and status output.</summary>
/// <param name="Sink">The sink's name.</param>
/// <param name="Sent">Alerts delivered.</param>
/// <param name="Failed">Alerts given up on: permanent failure or retries exhausted.</param>
/// <param name="Dropped">Alerts pushed out of a full queue, oldest first.</param>
/// <param name="Retried">Retry attempts made (a batch retried twice counts two).</param>
/// <param name="Deduplicated">Alerts folded into an earlier alert with the same rule and key.</param>
/// <param name="Filtered">Alerts the sink's filter did not want.</param>
/// <param name="QueueDepth">Alerts waiting in the sink's queue.</param>
public sealed record SinkStatistics(
    string Sink,
    long Sent,
    long Failed,
    long Dropped,
    long Retried,
    long Deduplicated,
    long Filtered,
    int QueueDepth);

/// <summary>Counters updated from the publishing threads and the sink worker at once, hence Interlocked.</summary>
internal sealed class SinkCounters
{
    private long _sent;
    private long _failed;
    private long _dropped;
    private long _retried;
    private long _deduplicated;
    private long _filtered;

    public void AddSent(int count) => Interlocked.Add(ref _sent, count);

    public void AddFailed(int count) => Interlocked.Add(ref _failed, count);

    public void AddDropped() => Interlocked.Increment(ref _dropped);

    public void AddRetried() => Interlocked.Increment(ref _retried);

    public void AddDeduplicated() => Interlocked.Increment(ref _deduplicated);

    public void AddFiltered() => Interlocked.Increment(ref _filtered);

    public SinkStatistics Snapshot(string sink, int queueDepth) => new(
        sink,
        Interlocked.Read(ref _sent),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _retried),
        Interlocked.Read(ref _deduplicated),
        Interlocked.Read(ref _filtered),
        queueDepth);
}
