using Auditrail.Server.Hosting;
using Auditrail.Server.Ingest;
using Auditrail.Server.Metrics;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Sources;

/// <summary>
/// Tails kube-apiserver log-backend files (<c>--audit-log-path</c>) into the write-ahead log while the
/// server runs, resuming from its checkpoint after a restart. It maps no endpoints; its counters join
/// <c>/metrics</c>.
/// </summary>
/// <remarks>
/// Each batch is appended to the write-ahead log (which returns after fsync) before the checkpoint moves
/// past it, so no line is lost; a crash between the two appends that one batch again after restart,
/// and the store drops the repeats by auditID and stage. See <see cref="FileTailer"/> for rotation,
/// truncation and file identity.
/// </remarks>
public sealed class FileTailModule : IServerModule
{
    private readonly IWriteAheadLog _wal;
    private readonly FileTailOptions _options;

    /// <summary>Checks <paramref name="options"/> now, so a bad configuration fails at start.</summary>
    public FileTailModule(IWriteAheadLog wal, FileTailOptions options)
    {
        ArgumentNullException.ThrowIfNull(wal);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _wal = wal;
        _options = options;
    }

    /// <summary>What tailing did since start.</summary>
    public FileTailCounters Counters { get; } = new();

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<IMetricsSource>(Counters);
        services.AddHostedService(provider => new Runner(new FileTailer(
            _wal,
            _options,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Auditrail.Server.Sources"),
            Counters)));
    }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }

    private sealed class Runner(FileTailer tailer) : BackgroundService
    {
        // Off the host's start path: loading the checkpoint and the first poll touch the disk.
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => tailer.RunAsync(stoppingToken), CancellationToken.None);
    }
}
