using Auditrail.Detection.Sinks;

namespace Auditrail.Server.Pipeline;

/// <summary>
/// Finds the newest write-ahead-log sequence up to which every published alert is settled at every sink
/// (sent, given up on, dropped from a full queue, filtered out or folded into another by dedup). That
/// sequence is committed with the next batch; at start, alerts committed after it are published again,
/// because they may never have reached a sink.
/// </summary>
/// <remarks>
/// Every sink is offered every published alert, so a sink's settled count (the sum of its counters other
/// than the queue) reaching the number published means all of them have left it, whatever the order.
/// </remarks>
internal sealed class DeliveryTracker(long delivered)
{
    private readonly Queue<(long Sequence, long PublishedThrough)> _pending = new();
    private long _published;

    /// <summary>Every alert of sequences up to this one is settled.</summary>
    public long Delivered { get; private set; } = delivered;

    /// <summary>Records that the alerts of sequences up to <paramref name="sequence"/> have been published (<paramref name="alerts"/> more of them).</summary>
    public void Published(long sequence, int alerts)
    {
        _published += alerts;
        _pending.Enqueue((sequence, _published));
    }

    /// <summary>Advances <see cref="Delivered"/> as far as the sinks' counters allow; true when it moved.</summary>
    public bool Advance(IReadOnlyList<SinkStatistics> sinks)
    {
        var settled = sinks.Count == 0 ? long.MaxValue : sinks.Min(s => s.Sent + s.Failed + s.Dropped + s.Filtered + s.Deduplicated);
        var before = Delivered;
        while (_pending.TryPeek(out var next) && next.PublishedThrough <= settled)
        {
            Delivered = Math.Max(Delivered, next.Sequence);
            _pending.Dequeue();
        }

        return Delivered != before;
    }
}
