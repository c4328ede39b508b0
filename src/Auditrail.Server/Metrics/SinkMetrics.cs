using Auditrail.Detection.Sinks;

namespace Auditrail.Server.Metrics;

/// <summary>
/// Alert sinks' statistics (<c>AlertDispatcher.Snapshot()</c>) as metric families with a <c>sink</c>
/// label, for whichever module owns the dispatcher to call from its <see cref="IMetricsSource"/>.
/// </summary>
public static class SinkMetrics
{
    /// <summary>Writes one family per statistic, one sample per sink; nothing when there are no sinks.</summary>
    public static void Write(MetricsWriter writer, IReadOnlyList<SinkStatistics> sinks)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sinks);
        Family(writer, sinks, "auditrail_sink_alerts_sent_total", "Alerts delivered by the sink.", s => s.Sent);
        Family(writer, sinks, "auditrail_sink_alerts_failed_total", "Alerts the sink gave up on (permanent failure or retries exhausted).", s => s.Failed);
        Family(writer, sinks, "auditrail_sink_alerts_dropped_total", "Alerts pushed out of the sink's full queue, oldest first.", s => s.Dropped);
        Family(writer, sinks, "auditrail_sink_retries_total", "Delivery retries the sink made.", s => s.Retried);
        Family(writer, sinks, "auditrail_sink_alerts_deduplicated_total", "Alerts folded into an earlier one with the same rule and key.", s => s.Deduplicated);
        Family(writer, sinks, "auditrail_sink_alerts_filtered_total", "Alerts the sink's filter did not want.", s => s.Filtered);
        Family(writer, sinks, "auditrail_sink_queue_depth", "Alerts waiting in the sink's queue.", s => s.QueueDepth, gauge: true);
    }

    private static void Family(MetricsWriter writer, IReadOnlyList<SinkStatistics> sinks, string name, string help, Func<SinkStatistics, double> value, bool gauge = false)
    {
        foreach (var sink in sinks)
        {
            if (gauge)
            {
                writer.Gauge(name, help, value(sink), ("sink", sink.Sink));
            }
            else
            {
                writer.Counter(name, help, value(sink), ("sink", sink.Sink));
            }
        }
    }
}
