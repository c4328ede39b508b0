using System.Globalization;
using Auditrail.Server.Metrics;

namespace Auditrail.Server.Ingest;

/// <summary>The webhook's counters and the write-ahead log's state on <c>/metrics</c>.</summary>
public sealed class IngestMetrics(IngestCounters counters, IWriteAheadLog wal) : IMetricsSource
{
    public void Collect(MetricsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (status, count) in counters.RequestsByStatus())
        {
            writer.Counter("auditrail_ingest_requests_total", "Webhook requests by HTTP status answered (code 0: any other status).", count,
                ("code", status.ToString(CultureInfo.InvariantCulture)));
        }

        writer.Counter("auditrail_ingest_events_total", "Audit events accepted into the write-ahead log.", counters.EventsAccepted);
        writer.Counter("auditrail_ingest_bad_records_total", "Batch items skipped: not an audit event, or over the event size limit.", counters.BadRecords);
        writer.Counter("auditrail_ingest_received_bytes_total", "Request body bytes received by the webhook.", counters.BytesReceived);
        writer.Counter("auditrail_ingest_throttled_total", "Requests answered 429 because the write-ahead log was full.", counters.Requests(429));
        writer.Counter("auditrail_ingest_append_seconds_total", "Time webhook requests spent waiting for durable appends (sum).", counters.AppendTime.TotalSeconds);
        writer.Counter("auditrail_ingest_appends_total", "Durable appends made by the webhook (count for the sum above).", counters.Appends);
        writer.Gauge("auditrail_wal_pending_bytes", "Write-ahead log bytes appended but not yet released by the pipeline.", wal.PendingBytes);
        writer.Gauge("auditrail_wal_last_sequence", "Newest appended write-ahead log sequence.", wal.LastSequence);
        writer.Gauge("auditrail_wal_released_sequence", "Newest sequence the pipeline has released.", wal.ReleasedSequence);
        if (wal is WriteAheadLog log)
        {
            writer.Gauge("auditrail_wal_capacity_bytes", "Pending bytes at which appends are refused (429).", log.CapacityBytes);
            writer.Counter("auditrail_wal_fsyncs_total", "Disk flushes of appended data (group commits).", log.Fsyncs);
            writer.Counter("auditrail_wal_written_bytes_total", "Record bytes written to the write-ahead log.", log.BytesWritten);
            writer.Gauge("auditrail_wal_segments", "Segment files kept.", log.SegmentCount);
        }
    }
}
