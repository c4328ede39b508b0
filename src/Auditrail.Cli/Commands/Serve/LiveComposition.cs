using System.Data.Common;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Auditrail.Cli.Commands.Scan;
using Auditrail.Cli.Hosting;
using Auditrail.Detection.Responses;
using Auditrail.Detection.Stateful;
using Auditrail.Server.Alerts;
using Auditrail.Server.Api;
using Auditrail.Server.Configuration;
using Auditrail.Server.Hosting;
using Auditrail.Server.Ingest;
using Auditrail.Server.Metrics;
using Auditrail.Server.Pipeline;
using Auditrail.Server.Security;
using Auditrail.Server.Sources;
using Auditrail.Storage;
using Auditrail.Storage.Retention;
using k8s;

namespace Auditrail.Cli.Commands.Serve;

/// <summary>
/// The live server's parts built from a configuration: the store, the write-ahead queue, the sinks, the
/// response engine and the modules that use them. Disposed after the server has stopped, in the order
/// that lets each part finish with the next: schedule, queue, store, sinks, executor.
/// </summary>
internal sealed class LiveComposition : IAsyncDisposable
{
    private RetentionSchedule? _retention;
    private WriteAheadLog? _wal;
    private DuckDbEventStore? _store;
    private ConfiguredSinks? _sinks;
    private IResponseExecutor? _executor;

    private LiveComposition()
    {
    }

    /// <summary>The ingest, query API, metrics, file-source and pipeline modules.</summary>
    public List<IServerModule> Modules { get; } = [];

    public required ConfiguredTokens Tokens { get; init; }

    /// <summary>Client certificate authorities for ingest; null when only bearer tokens are accepted.</summary>
    public X509Certificate2Collection? ClientAuthorities { get; private set; }

    /// <summary>
    /// Builds everything, or writes every reason it cannot to stderr and returns null (nothing left open).
    /// Rules and the responses file are compiled here, so a bad rule stops the start.
    /// </summary>
    public static async Task<LiveComposition?> ComposeAsync(CliContext context, ServeConfiguration configuration, Func<bool>? runningInCluster = null)
    {
        var problems = new List<string>();
        if (ConfiguredTokens.Build(configuration, out var tokenProblems) is not { } tokens)
        {
            problems.AddRange(tokenProblems);
            return Refuse(context, problems);
        }

        var live = new LiveComposition { Tokens = tokens };
        try
        {
            if (live.Build(context, configuration, runningInCluster ?? KubernetesClientConfiguration.IsInCluster, problems))
            {
                return live;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StoreException or DbException or CryptographicException or ArgumentException)
        {
            problems.Add(ex.Message);
        }

        await live.DisposeAsync().ConfigureAwait(false);
        return Refuse(context, problems);
    }

    private static LiveComposition? Refuse(CliContext context, List<string> problems)
    {
        foreach (var problem in problems)
        {
            context.Error.WriteLine($"error: {problem}");
        }

        return null;
    }

    private bool Build(CliContext context, ServeConfiguration configuration, Func<bool> runningInCluster, List<string> problems)
    {
        var rulePaths = configuration.Detection.RulePaths.Select(p => p == DetectionSettings.DefaultPack ? ScanCommand.DefaultPackDirectory : p).ToArray();
        var rules = ScanCommand.LoadRules(context, rulePaths);
        if (rules is null)
        {
            problems.Add("the rules do not compile (every problem is listed above)");
        }

        var responses = ComposeResponses(configuration.Responses, runningInCluster, problems);
        foreach (var warning in configuration.Responses?.Config.Diagnostics.Where(d => d.IsWarning) ?? [])
        {
            context.Error.WriteLine(warning.ToString());
        }

        if (!AlertSinkFactory.TryCreate(configuration.Sinks, out var sinks, out var sinkProblems, context.OutStream ?? new TextWriterStream(context.Out)))
        {
            problems.AddRange(sinkProblems);
        }

        _sinks = sinks;
        if (configuration.Ingest.ClientCertificateAuthorityFile is { } caFile)
        {
            ClientAuthorities = [];
            ClientAuthorities.ImportFromPemFile(caFile);
        }

        if (problems.Count > 0 || rules is null)
        {
            return false;
        }

        Directory.CreateDirectory(configuration.DataDirectory);
        var store = _store = DuckDbEventStore.Open(new StoreOptions(configuration.StorePath));
        var retention = new RetentionPolicy { MaxAge = configuration.Store.MaxAge, MaxBytes = configuration.Store.MaxBytes };
        if (!retention.IsEmpty)
        {
            _retention = new RetentionSchedule(store, retention, configuration.Store.PurgeInterval, TimeProvider.System,
                failed: ex => context.Error.WriteLine($"warning: retention purge failed: {ex.Message}"));
        }

        var wal = _wal = WriteAheadLog.Open(
            new WriteAheadLogOptions
            {
                Directory = configuration.WriteAheadLogDirectory,
                SegmentBytes = configuration.Ingest.SegmentBytes,
                CapacityBytes = configuration.Ingest.QueueCapacityBytes,
            },
            TimeProvider.System);

        var detection = configuration.Detection;
        Modules.Add(new IngestModule(wal, new IngestOptions
        {
            Tokens = Tokens.Tokens,
            AllowClientCertificates = ClientAuthorities is not null,
            ClientCertificateAuthorities = ClientAuthorities ?? [],
            DefaultCluster = configuration.Ingest.Cluster,
            MaxBodyBytes = configuration.Ingest.MaxBodyBytes,
            MaxEventBytes = configuration.Ingest.MaxEventBytes,
        }));
        Modules.Add(new QueryApiModule(store, Tokens.Tokens));
        Modules.Add(new MetricsModule(new MetricsOptions { RequireToken = configuration.Metrics.RequireToken, Tokens = Tokens.Tokens }));
        if (configuration.FileSources.Count > 0)
        {
            Directory.CreateDirectory(Path.Combine(configuration.DataDirectory, "sources"));
        }

        for (var i = 0; i < configuration.FileSources.Count; i++)
        {
            var source = configuration.FileSources[i];
            Modules.Add(new FileTailModule(wal, new FileTailOptions
            {
                Paths = source.Paths,
                Cluster = source.Cluster,
                StartAtEnd = source.StartAtEnd,
                PollInterval = source.PollInterval,
                // One checkpoint per entry, by position: reordering sources.files restarts their reading.
                CheckpointFile = Path.Combine(configuration.DataDirectory, "sources", $"files-{i}.json"),
            }));
        }

        var defaults = new PipelineOptions { Rules = rules };
        Modules.Add(new PipelineModule(wal, store, defaults with
        {
            Detection = new DetectionOptions { Cluster = detection.Cluster, MaxKeys = detection.MaxKeys, LateTolerance = detection.LateTolerance },
            Sinks = sinks.Sinks,
            Responses = responses,
            Workers = detection.Workers ?? defaults.Workers,
            FlushInterval = detection.FlushInterval ?? defaults.FlushInterval,
        }));
        return true;
    }

    /// <summary>
    /// The response engine over a kubeconfig, the pod's service account, or, for a dry run with neither,
    /// an executor that is never called; acting for real with no cluster to act on is a problem.
    /// </summary>
    private ResponseEngine? ComposeResponses(ResponseSettings? settings, Func<bool> runningInCluster, List<string> problems)
    {
        if (settings is null)
        {
            return null;
        }

        IResponseExecutor executor;
        try
        {
            if (settings.Kubeconfig is not null)
            {
                executor = KubernetesResponseExecutor.FromKubeconfig(settings.Kubeconfig, settings.Context);
            }
            else if (runningInCluster())
            {
                executor = KubernetesResponseExecutor.InCluster();
            }
            else if (settings.Config.Options.DryRun)
            {
                executor = new NoClusterExecutor();
            }
            else
            {
                problems.Add($"responses: {settings.File} sets dryRun: false but there is no cluster to act on (set responses.kubeconfig, or run in a pod)");
                return null;
            }
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or ArgumentException or InvalidOperationException or FormatException)
        {
            problems.Add($"responses: cannot use {settings.Kubeconfig ?? "the in-cluster configuration"}: {ex.Message}");
            return null;
        }

        _executor = executor;
        return new ResponseEngine(settings.Config.Rules, settings.Config.Options, executor, TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        // The purge stops before the store closes; the queue closes before the store so nothing reads it after.
        _retention?.Dispose();
        if (_wal is not null)
        {
            await _wal.DisposeAsync().ConfigureAwait(false);
        }

        _store?.Dispose();
        if (_sinks is not null)
        {
            await _sinks.DisposeAsync().ConfigureAwait(false);
        }

        (_executor as IDisposable)?.Dispose();

        if (ClientAuthorities is not null)
        {
            foreach (var certificate in ClientAuthorities)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Dry-run responses never call the cluster; this stands where no cluster is configured.</summary>
    private sealed class NoClusterExecutor : IResponseExecutor
    {
        public Task ExecuteAsync(ResponseCall call, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no cluster is configured for responses (dry run)");
    }
}
