using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Sinks;
using Auditrail.Detection.Tests.Support;
using Auditrail.Server.Hosting;
using Auditrail.Server.Ingest;
using Auditrail.Server.Pipeline;
using Auditrail.Server.Sources;
using Auditrail.Server.Tests.Ingest;
using Auditrail.Server.Tests.Pipeline;
using Auditrail.Server.Tests.Support;
using Auditrail.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Auditrail.Server.Tests.Integration;

/// <summary>How one "process" of the harness is put together.</summary>
internal sealed record ServeSetup
{
    /// <summary>Small, so a few batches already span several segments and released ones get deleted.</summary>
    public long SegmentBytes { get; init; } = 4096;

    public long CapacityBytes { get; init; } = 1L << 30;

    /// <summary>Whether the tailing module reads <see cref="ServeHarness.AuditLogPath"/>.</summary>
    public bool TailFile { get; init; }

    /// <summary>Installed on the pipeline right after start, before the test sends anything.</summary>
    public Func<PipelineStep, long, ValueTask>? StepHook { get; init; }
}

/// <summary>
/// <c>auditrail serve</c> as successive processes over one data folder: each start opens the real
/// write-ahead log and the DuckDB store from disk and runs a loopback Kestrel with the ingest, pipeline
/// and file-tailing modules; each stop closes them all again, as a restart would.
/// </summary>
internal sealed class ServeHarness : IAsyncDisposable
{
    /// <summary>One stateless rule, so every Secret read raises exactly one alert.</summary>
    public const string RulesYaml = """
        rules:
          - name: secret-read
            severity: high
            condition: objectRef.resource == "secrets" && verb == "get"
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("auditrail-serve-").FullName;
    private readonly RuleSet _rules = Scenario.Rules(RulesYaml);
    private JsonLinesAlertSink? _fileSink;
    private HttpClient? _client;
    private WriteAheadLog? _wal;
    private DuckDbEventStore? _store;
    private AuditrailServer? _server;

    public ServeHarness()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(AuditLogPath)!);
    }

    public string WalDirectory => Path.Combine(_folder, "wal");

    public string StorePath => Path.Combine(_folder, "audit.duckdb");

    public string FileSinkPath => Path.Combine(_folder, "alerts.jsonl");

    public string AuditLogPath => Path.Combine(_folder, "logs", "audit.log");

    /// <summary>Every alert any process delivered to the capturing sink, repeats included.</summary>
    public ConcurrentQueue<Alert> Captured { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public WriteAheadLog Wal => _wal ?? throw new InvalidOperationException("not running");

    public DuckDbEventStore Store => _store ?? throw new InvalidOperationException("not running");

    public AuditPipeline Pipeline { get; private set; } = null!;

    /// <summary>Events the pipelines of all stopped processes processed, plus the running one's: each event once when nothing is read twice.</summary>
    public long EventsProcessedByAllRuns => _eventsProcessedBefore + (_server is null ? 0 : Pipeline.Status.EventsProcessed);

    private long _eventsProcessedBefore;

    /// <summary>Starts a process: opens log and store from disk and starts the server; returns once the pipeline has recovered.</summary>
    public async Task StartAsync(ServeSetup? setup = null)
    {
        Assert.Null(_server);
        setup ??= new ServeSetup();
        _wal = WriteAheadLog.Open(new WriteAheadLogOptions { Directory = WalDirectory, SegmentBytes = setup.SegmentBytes, CapacityBytes = setup.CapacityBytes },
            TimeProvider.System, Logs.CreateLogger("wal"));
        _store = DuckDbEventStore.Open(new StoreOptions(StorePath) { MemoryLimitBytes = 256L << 20, Threads = 1 });
        _fileSink = JsonLinesAlertSink.ResumeFile("file", FileSinkPath);
        List<IServerModule> modules =
        [
            new IngestModule(_wal, new IngestOptions { Tokens = IngestServer.Tokens() }),
            new PipelineModule(_wal, _store, new PipelineOptions
            {
                Rules = _rules,
                Sinks = [(_fileSink, new SinkOptions()), (new PipelineHarness.CapturingSink(Captured), new SinkOptions())],
                Workers = 2,
                FlushInterval = TimeSpan.FromMilliseconds(50),
            }),
        ];
        if (setup.TailFile)
        {
            modules.Add(new FileTailModule(_wal, new FileTailOptions
            {
                Paths = [AuditLogPath],
                CheckpointFile = Path.Combine(_folder, "tail-checkpoint.json"),
                Cluster = "tailed",
                PollInterval = TimeSpan.FromMilliseconds(10),
                MaxRetryDelay = TimeSpan.FromMilliseconds(40),
            }));
        }

        _server = AuditrailServer.Create(new ServerOptions { Listen = [new ListenAddress(System.Net.IPAddress.Loopback, 0)] }, modules);
        await _server.StartAsync();
        Pipeline = _server.Services.GetRequiredService<AuditPipeline>();
        // Before anything is sent, so no batch of this process passes the hook unseen (a resumed backlog
        // is the exception; tests with a hook start on an empty log).
        Pipeline.StepHook = setup.StepHook;
        _client = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = _server.Addresses[0], Timeout = TimeSpan.FromSeconds(30) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IngestServer.IngestToken);
        await WaitUntil(() => Pipeline.Status.Recovered || Pipeline.Status.Failure is not null, "pipeline recovered");
        Assert.Null(Pipeline.Status.Failure);
    }

    /// <summary>Stops the process as SIGTERM would, then closes log, store and file sink; <paramref name="crashed"/> when the pipeline already died.</summary>
    public async Task StopAsync(bool crashed = false)
    {
        Assert.NotNull(_server);
        _client!.Dispose();
        try
        {
            await _server.StopAsync();
        }
        catch (SimulatedCrashException) when (crashed)
        {
            // The host may hand back its background service's failure; it was the point of the test.
        }

        // Counted once stopped: a graceful stop still processes what was acknowledged before it.
        _eventsProcessedBefore += Pipeline.Status.EventsProcessed;
        await _server.DisposeAsync();
        await _fileSink!.DisposeAsync();
        await _wal!.DisposeAsync();
        _store!.Dispose();
        (_server, _client, _fileSink, _wal, _store) = (null, null, null, null, null);
    }

    /// <summary>Posts an EventList of <paramref name="events"/> to the webhook for <paramref name="cluster"/>; returns the HTTP status.</summary>
    public async Task<int> PostAsync(string cluster, IEnumerable<string> events)
    {
        var body = $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{string.Join(",", events)}}]}""";
        using var response = await _client!.PostAsync(new Uri($"/audit/webhook/{cluster}", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        return (int)response.StatusCode;
    }

    /// <summary>Posts and insists on 200: the batch is acknowledged, so it must end up stored.</summary>
    public async Task PostAcceptedAsync(string cluster, IEnumerable<string> events) => Assert.Equal(200, await PostAsync(cluster, events));

    /// <summary>
    /// A batch of events named <c>PREFIX-0..</c>, every <paramref name="secretEvery"/>-th one a Secret read
    /// (an alert); the sender claims cluster <c>prod</c>, which the server overrides.
    /// </summary>
    public static List<string> Batch(string prefix, int count, int secretEvery = 2) =>
        [.. Enumerable.Range(0, count).Select(i => PipelineHarness.Event($"{prefix}-{i}", i, resource: i % secretEvery == 0 ? "secrets" : "pods"))];

    /// <summary>Appends audit-log lines to the tailed file, as kube-apiserver's log backend does.</summary>
    public void AppendToAuditLog(IEnumerable<string> lines) =>
        File.AppendAllText(AuditLogPath, string.Concat(lines.Select(l => l + "\n")), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    /// <summary>Stored event rows per (audit id, cluster).</summary>
    public List<(string AuditId, string Cluster)> StoredEvents() =>
        [.. Store.Sql("SELECT audit_id, cluster FROM events ORDER BY audit_id", limit: 100_000).Rows.Select(r => ((string)r[0]!, (string)r[1]!))];

    public long StoredEventCount => Store.GetInfo().Events;

    /// <summary>Stored alerts' ids, one row each (the alerts table has no key, so a repeat would show).</summary>
    public List<string> StoredAlertIds() =>
        [.. Store.Sql("SELECT alert_id FROM alerts ORDER BY alert_id", limit: 100_000).Rows.Select(r => (string)r[0]!)];

    /// <summary>The ids in the file sink's file, one per line.</summary>
    public List<string> FileSinkIds()
    {
        if (!File.Exists(FileSinkPath))
        {
            return [];
        }

        using var stream = new FileStream(FileSinkPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!)];
    }

    public string[] SegmentFiles() => Directory.Exists(WalDirectory) ? Directory.GetFiles(WalDirectory, "*.wal") : [];

    /// <summary>Waits until the pipeline has committed <paramref name="sequence"/> (and so released the log up to it).</summary>
    public Task WaitForProcessedAsync(long sequence) =>
        WaitUntil(() => Pipeline.Status.ProcessedSequence >= sequence || Pipeline.Status.Failure is not null, $"processed {sequence}");

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after a generous 30 s.</summary>
    public static Task WaitUntil(Func<bool> condition, string what) => Poll.UntilAsync(condition, () => what);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await StopAsync(crashed: Pipeline.Status.Failure is SimulatedCrashException);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A thread of a failed test may still hold a file; the OS temp cleaner gets it.
        }
    }
}
