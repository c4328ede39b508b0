using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Sinks;
using Auditrail.Server.Pipeline;
using Auditrail.Detection.Tests.Support;
using Auditrail.Server.Tests.Support;
using Auditrail.Storage;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Tests.Pipeline;

/// <summary>
/// A real DuckDB store in a temp folder, the write-ahead-log test double, a JSON-lines file sink and a
/// capturing sink, and pipelines started, stopped and crashed against them as successive processes would be.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Two rules: every Secret read, and three 401s from one address within ten minutes.</summary>
    public const string RulesYaml = """
        rules:
          - name: secret-read
            severity: high
            condition: objectRef.resource == "secrets" && verb == "get"
          - name: failed-logins
            condition: responseStatus.code == 401
            threshold: {count: 3, window: 10m, by: [sourceIP]}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("auditrail-pipeline-").FullName;
    private CancellationTokenSource? _stop;
    private Task? _run;
    private JsonLinesAlertSink? _fileSink;

    public PipelineHarness(string rulesYaml = RulesYaml)
    {
        Rules = Scenario.Rules(rulesYaml);
        StorePath = Path.Combine(_folder, "audit.duckdb");
        FileSinkPath = Path.Combine(_folder, "alerts.jsonl");
        Store = DuckDbEventStore.Open(new StoreOptions(StorePath) { MemoryLimitBytes = 256L << 20, Threads = 1 });
    }

    public RuleSet Rules { get; }

    public string StorePath { get; }

    public string FileSinkPath { get; }

    public DuckDbEventStore Store { get; }

    /// <summary>Replaceable between runs, as an operator might replace the log's folder.</summary>
    public InMemoryWriteAheadLog Wal { get; set; } = new();

    /// <summary>Every alert any pipeline of this harness delivered to the capturing sink, repeats included.</summary>
    public ConcurrentQueue<Alert> Captured { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public AuditPipeline? Pipeline { get; private set; }

    /// <summary>An audit event line as the webhook intake queues it (cluster stamped); <paramref name="at"/> is seconds after <see cref="Start"/>.</summary>
    public static string Event(string auditId, double at, string verb = "get", string resource = "pods", string name = "web", int code = 200,
        string user = "alice", string sourceIp = "10.0.0.5", string stage = "ResponseComplete", object? responseObject = null)
    {
        var time = Start.AddSeconds(at).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var body = new Dictionary<string, object?>
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = responseObject is null ? "Metadata" : "RequestResponse",
            ["auditID"] = auditId,
            ["stage"] = stage,
            ["requestURI"] = $"/api/v1/namespaces/default/{resource}/{name}",
            ["verb"] = verb,
            ["user"] = new { username = user, groups = new[] { "system:authenticated" } },
            ["sourceIPs"] = new[] { sourceIp },
            ["userAgent"] = "kubectl/v1.31.0",
            ["objectRef"] = new { resource, @namespace = "default", name, apiVersion = "v1" },
            ["responseStatus"] = new { code },
            ["requestReceivedTimestamp"] = time,
            ["stageTimestamp"] = time,
            ["annotations"] = new Dictionary<string, string> { ["auditrail.io/cluster"] = "prod" },
        };
        if (responseObject is not null)
        {
            body["responseObject"] = responseObject;
        }

        return JsonSerializer.Serialize(body);
    }

    /// <summary>Starts a pipeline (a new "process") and waits until it has recovered.</summary>
    public async Task<AuditPipeline> StartAsync(Func<AuditPipeline, Func<PipelineStep, long, ValueTask>?>? hook = null, Func<PipelineOptions, PipelineOptions>? configure = null)
    {
        Assert.Null(_run);
        _fileSink = JsonLinesAlertSink.ResumeFile("file", FileSinkPath);
        var options = new PipelineOptions
        {
            Rules = Rules,
            Sinks = [(_fileSink, new SinkOptions()), (new CapturingSink(Captured), new SinkOptions())],
            Workers = 2,
            FlushInterval = TimeSpan.FromMilliseconds(50),
        };
        options = configure?.Invoke(options) ?? options;
        var pipeline = new AuditPipeline(Wal, Store, options, TimeProvider.System, Logs.CreateLogger("pipeline"));
        pipeline.StepHook = hook?.Invoke(pipeline);
        Pipeline = pipeline;
        _stop = new CancellationTokenSource();
        _run = pipeline.RunAsync(_stop.Token);
        await WaitUntil(() => pipeline.Status.Recovered || _run.IsCompleted);

        // A test's injected crash may already have come: on a busy machine this thread can be slower
        // than the pipeline's first batch.
        Assert.True(pipeline.Status.Recovered || pipeline.Status.Failure is SimulatedCrashException, pipeline.Status.Failure?.ToString());
        return pipeline;
    }

    /// <summary>SIGTERM: the pipeline commits, drains its sinks and stops.</summary>
    public async Task StopAsync()
    {
        await _stop!.CancelAsync();
        await _run!;
        await EndProcessAsync();
    }

    /// <summary>Waits for the pipeline to die of an injected crash (a hook threw) and cleans up after it.</summary>
    public async Task WaitForCrashAsync()
    {
        var error = await Assert.ThrowsAsync<SimulatedCrashException>(() => _run!);
        Assert.Same(error, Pipeline!.Status.Failure);
        await EndProcessAsync();
    }

    public Task WaitForProcessedAsync(long sequence) =>
        WaitUntil(() => Pipeline!.Status.ProcessedSequence >= sequence || _run!.IsCompleted, () => $"processed {Pipeline!.Status.ProcessedSequence}, waiting for {sequence}");

    /// <summary>The ids in the file sink's file, in order.</summary>
    public List<string?> FileSinkIds()
    {
        if (!File.Exists(FileSinkPath))
        {
            return [];
        }

        using var stream = new FileStream(FileSinkPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString())];
    }

    /// <summary>Stored alert ids in commit order.</summary>
    public List<string?> StoredAlertIds() =>
        [.. Store.Sql("SELECT alert_id FROM alerts ORDER BY source_sequence, rowid", limit: 100_000).Rows.Select(r => (string?)r[0])];

    public long StoredEvents => Store.GetInfo().Events;

    public static Task WaitUntil(Func<bool> condition, Func<string>? describe = null) => Poll.UntilAsync(condition, describe);

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            await _stop!.CancelAsync();
            await Task.WhenAny(_run);
            await EndProcessAsync();
        }

        Store.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A reader thread of a failed test may still hold a file; the OS temp cleaner gets it.
        }
    }

    private async Task EndProcessAsync()
    {
        if (_fileSink is not null)
        {
            await _fileSink.DisposeAsync();
        }

        _fileSink = null;
        _stop?.Dispose();
        _stop = null;
        _run = null;
    }

    /// <summary>Keeps what it is sent, in order.</summary>
    internal sealed class CapturingSink(ConcurrentQueue<Alert> captured) : IAlertSink
    {
        public string Name => "capture";

        public ValueTask SendAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
        {
            foreach (var alert in batch)
            {
                captured.Enqueue(alert);
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Thrown by a test's step hook: the pipeline dies there as if the process were killed.</summary>
internal sealed class SimulatedCrashException() : Exception("simulated crash");
