using Auditrail.Server.Health;
using Auditrail.Server.Hosting;
using Auditrail.Server.Ingest;
using Auditrail.Server.Metrics;
using Auditrail.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Pipeline;

/// <summary>
/// Runs the live pipeline (<see cref="AuditPipeline"/>: write-ahead log → decode, redact, detect → store →
/// sinks and responses) in the server as a background service, with a readiness check that fails until
/// recovery is done and the pipeline's counters on <c>/metrics</c>. It maps no endpoints. The guarantees
/// (exactly once into the store, alerts re-published after a restart under stable ids) are those of
/// <see cref="AuditPipeline"/>; for the file sink to hold each alert once, open it with
/// <see cref="Detection.Sinks.JsonLinesAlertSink.ResumeFile"/>.
/// </summary>
/// <param name="wal">The queue the webhook and file tailing append to; the pipeline is its only reader.</param>
/// <param name="store">Where events and alerts are committed; the pipeline holds its single writer while it runs.</param>
/// <param name="options">Rules, sinks, responses and batching.</param>
public sealed class PipelineModule(IWriteAheadLog wal, IEventStore store, PipelineOptions options) : IServerModule
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider => new AuditPipeline(
            wal, store, options, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILoggerFactory>().CreateLogger("Auditrail.Server.Pipeline")));
        services.AddHostedService<PipelineService>();
        services.AddSingleton<IReadinessCheck, PipelineReadiness>();
        services.AddSingleton<IMetricsSource, PipelineMetrics>();
    }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }

    /// <summary>The pipeline for the host's lifetime; a failure stops the host, since a server that no longer stores what it acknowledges must not look healthy.</summary>
    private sealed class PipelineService(AuditPipeline pipeline) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => pipeline.RunAsync(stoppingToken);
    }

    /// <summary>Not ready while the pipeline recovers (checkpoint, warm-up, re-publishing) or after it stopped.</summary>
    private sealed class PipelineReadiness(AuditPipeline pipeline) : IReadinessCheck
    {
        public string Name => "pipeline";

        public string? NotReadyReason() => pipeline.Status.Phase switch
        {
            PipelinePhase.Running => null,
            PipelinePhase.Starting => "reading the store checkpoint",
            PipelinePhase.WarmingUp => $"replaying stored events into stateful rules ({pipeline.Status.WarmUpEvents:N0} so far)",
            PipelinePhase.Republishing => "publishing alerts committed before the last stop",
            _ => pipeline.Status.Failure is { } failure ? $"stopped: {failure.Message}" : "stopped",
        };
    }
}
