using System.Net;
using Auditrail.Detection.Sinks;
using Auditrail.Server.Metrics;
using Auditrail.Server.Pipeline;
using Auditrail.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Auditrail.Server.Tests.Pipeline.PipelineHarness;

namespace Auditrail.Server.Tests.Pipeline;

public sealed class PipelineModuleTests
{
    [Fact]
    public async Task The_module_runs_the_pipeline_in_the_server_reports_ready_once_recovered_and_exposes_its_counters()
    {
        await using var harness = new PipelineHarness();
        await using var fileSink = JsonLinesAlertSink.ResumeFile("file", harness.FileSinkPath);
        var module = new PipelineModule(harness.Wal, harness.Store, new PipelineOptions
        {
            Rules = harness.Rules,
            Sinks = [(fileSink, new SinkOptions())],
            Workers = 1,
        });
        var server = await RunningServer.StartAsync(new TeamLabelReviewer(), extraModules: [module]);
        AuditPipeline pipeline;
        try
        {
            pipeline = server.Server.Services.GetRequiredService<AuditPipeline>();
            await WaitUntil(() => pipeline.Status.Recovered);
            using (var ready = await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            var last = await harness.Wal.AppendLinesAsync(Event("a1", 0, resource: "secrets"), Event("a2", 1), "not an event");
            await WaitUntil(() => pipeline.Status.ProcessedSequence == last);
            await WaitUntil(() => pipeline.SinkStatistics.Single().Sent == 1);

            var metrics = new MetricsWriter();
            foreach (var source in server.Server.Services.GetServices<IMetricsSource>())
            {
                source.Collect(metrics);
            }

            var text = metrics.ToString();
            foreach (var sample in new[]
            {
                "auditrail_pipeline_events_received_total 3",
                "auditrail_pipeline_events_processed_total 2",
                "auditrail_pipeline_bad_records_total 1",
                "auditrail_pipeline_events_by_stage_total{stage=\"ResponseComplete\"} 2",
                "auditrail_pipeline_rule_matches_total{rule=\"secret-read\"} 1",
                "auditrail_pipeline_alerts_total 1",
                "auditrail_sink_alerts_sent_total{sink=\"file\"} 1",
                "auditrail_sink_queue_depth{sink=\"file\"} 0",
                "auditrail_pipeline_checkpoint_lag_records 0",
                "auditrail_pipeline_wal_pending_bytes 0",
                "auditrail_pipeline_recovered 1",
            })
            {
                Assert.Contains(sample + "\n", text, StringComparison.Ordinal);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.Equal(PipelinePhase.Stopped, pipeline.Status.Phase);
        Assert.Null(pipeline.Status.Failure);
    }
}
