using Auditrail.Core.Model;
using Auditrail.Server.Metrics;

namespace Auditrail.Server.Pipeline;

/// <summary>The pipeline's counters on <c>/metrics</c>: flow, bad input, rules, sinks, state, responses and backlog.</summary>
internal sealed class PipelineMetrics(AuditPipeline pipeline) : IMetricsSource
{
    public void Collect(MetricsWriter writer)
    {
        var status = pipeline.Status;
        writer.Counter("auditrail_pipeline_events_received_total", "Events in write-ahead-log records the pipeline has read.", status.EventsReceived);
        writer.Counter("auditrail_pipeline_events_processed_total", "Events decoded, run through detection and committed to the store.", status.EventsProcessed);
        writer.Counter("auditrail_pipeline_bad_records_total", "Records in write-ahead-log payloads that could not be read as audit events.", status.BadRecords);
        foreach (var (stage, events) in status.EventsByStage())
        {
            writer.Counter("auditrail_pipeline_events_by_stage_total", "Processed events per audit stage.", events, ("stage", stage.ToWireName()));
        }

        var matches = status.RuleMatches();
        for (var i = 0; i < matches.Length; i++)
        {
            writer.Counter("auditrail_pipeline_rule_matches_total", "Events each rule's condition matched (before request dedup and stateful thresholds).", matches[i], ("rule", status.RuleNames[i]));
        }

        writer.Counter("auditrail_pipeline_alerts_total", "Alerts raised and committed to the store.", status.Alerts);
        writer.Counter("auditrail_pipeline_alerts_republished_total", "Alerts published again at start because sinks may not have received them.", status.Republished);
        var sinks = pipeline.SinkStatistics;
        WriteSinks(writer, sinks, "auditrail_sink_alerts_sent_total", "Alerts delivered per sink.", s => s.Sent);
        WriteSinks(writer, sinks, "auditrail_sink_alerts_failed_total", "Alerts a sink failed to take (permanent error or retries exhausted).", s => s.Failed);
        WriteSinks(writer, sinks, "auditrail_sink_alerts_dropped_total", "Alerts pushed out of a sink's full queue.", s => s.Dropped);
        WriteSinks(writer, sinks, "auditrail_sink_retries_total", "Delivery retries per sink.", s => s.Retried);
        foreach (var sink in sinks)
        {
            writer.Gauge("auditrail_sink_queue_depth", "Alerts waiting in a sink's queue.", sink.QueueDepth, ("sink", sink.Sink));
        }

        writer.Gauge("auditrail_pipeline_state_keys", "Keys held by stateful rules.", status.StateKeys);
        writer.Counter("auditrail_pipeline_state_evictions_total", "Keys stateful rules dropped to bound memory.", status.StateEvictions);
        foreach (var (outcome, actions) in status.ResponseActions())
        {
            writer.Counter("auditrail_pipeline_response_actions_total", "Automated response actions by outcome.", actions, ("outcome", outcome.ToString().ToLowerInvariant()));
        }

        writer.Counter("auditrail_pipeline_process_seconds_total", "Time spent decoding, detecting and preparing rows.", status.ProcessTime.TotalSeconds);
        writer.Counter("auditrail_pipeline_commit_seconds_total", "Time spent in store transactions.", status.CommitTime.TotalSeconds);
        writer.Counter("auditrail_pipeline_commits_total", "Store transactions committed.", status.Commits);
        writer.Gauge("auditrail_pipeline_wal_pending_bytes", "Write-ahead-log bytes not yet released by the pipeline.", pipeline.WalPendingBytes);
        writer.Gauge("auditrail_pipeline_checkpoint_lag_records", "Write-ahead-log records appended but not yet committed to the store.", pipeline.CheckpointLag);
        writer.Gauge("auditrail_pipeline_processed_sequence", "The newest write-ahead-log sequence committed to the store.", status.ProcessedSequence);
        writer.Gauge("auditrail_pipeline_last_commit_timestamp_seconds", "When the last store commit finished, as Unix time.", status.LastCommit?.ToUnixTimeMilliseconds() / 1000.0 ?? 0);
        writer.Gauge("auditrail_pipeline_recovered", "1 once recovery is done and the log is being processed.", status.Recovered ? 1 : 0);
    }

    private static void WriteSinks(MetricsWriter writer, IReadOnlyList<Detection.Sinks.SinkStatistics> sinks, string name, string help, Func<Detection.Sinks.SinkStatistics, long> value)
    {
        foreach (var sink in sinks)
        {
            writer.Counter(name, help, value(sink), ("sink", sink.Sink));
        }
    }
}
