using Auditrail.Detection.Responses;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Stateful;
using Auditrail.Server.Security;

namespace Auditrail.Server.Configuration;

/// <summary>
/// Where a bearer token comes from: a file (a mounted Secret) or an environment variable. The value is
/// never written in the configuration itself, which usually lives in a ConfigMap that many can read;
/// it is read once at start by <see cref="Read"/>.
/// </summary>
public sealed record TokenSource(string? File, string? EnvironmentVariable, AccessScope Scopes)
{
    /// <summary>Where the token is, for messages: <c>file /etc/x</c> or <c>env AUDITRAIL_TOKEN</c>; never the value.</summary>
    public string Describe() => File is not null ? $"file {File}" : $"env {EnvironmentVariable}";

    /// <summary>The token itself, trimmed (a Secret file usually ends with a newline); null when absent or empty.</summary>
    public string? Read(Func<string, string?>? environment = null)
    {
        var value = File is not null
            ? (System.IO.File.Exists(File) ? System.IO.File.ReadAllText(File) : null)
            : (environment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable!);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}

/// <summary>The <c>ingest:</c> section: who may POST audit events to <c>/audit/webhook</c>, limits, and the write-ahead queue.</summary>
public sealed record IngestSettings
{
    /// <summary>1 GiB of unprocessed events before 429: minutes of a busy cluster's audit traffic, and bounded disk.</summary>
    public const long DefaultQueueCapacityBytes = 1L << 30;

    /// <summary>64 MiB segments: few files, and space comes back soon after the pipeline releases them.</summary>
    public const long DefaultSegmentBytes = 64L << 20;

    /// <summary>16 MiB: kube-apiserver's batches of 400 events of a few KB each, or fewer large RequestResponse events, with room to spare.</summary>
    public const long DefaultMaxBodyBytes = 16L << 20;

    /// <summary>
    /// 1 MiB: etcd refuses objects over 1.5 MiB, so an event carrying one object's request and response
    /// rarely comes near; a larger one is skipped and counted, the rest of its batch kept.
    /// </summary>
    public const int DefaultMaxEventBytes = 1 << 20;

    public IReadOnlyList<TokenSource> Tokens { get; init; } = [];

    /// <summary>PEM file of the authorities whose client certificates are accepted (absolute); null: bearer tokens only.</summary>
    public string? ClientCertificateAuthorityFile { get; init; }

    /// <summary>The cluster name stamped on events posted to <c>/audit/webhook</c> without one in the path.</summary>
    public string? Cluster { get; init; }

    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    public int MaxEventBytes { get; init; } = DefaultMaxEventBytes;

    public long QueueCapacityBytes { get; init; } = DefaultQueueCapacityBytes;

    public long SegmentBytes { get; init; } = DefaultSegmentBytes;
}

/// <summary>The <c>api:</c> section: the tokens that may read (<c>read</c>) or query in SQL (<c>admin</c>).</summary>
public sealed record ApiSettings
{
    public IReadOnlyList<TokenSource> Tokens { get; init; } = [];
}

/// <summary>One entry of <c>sources.files</c>: log-backend files to tail.</summary>
public sealed record FileSourceSettings
{
    /// <summary>A quarter second: new lines are read promptly, for the price of a stat per file.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Files or globs (<c>/var/log/kubernetes/audit*.log</c>), absolute.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    public string? Cluster { get; init; }

    /// <summary>On the first start (no checkpoint yet) skip what the files already hold.</summary>
    public bool StartAtEnd { get; init; }

    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;
}

/// <summary>The <c>detection:</c> section.</summary>
public sealed record DetectionSettings
{
    /// <summary>The marker for the bundled default pack in <see cref="RulePaths"/>.</summary>
    public const string DefaultPack = "default";

    /// <summary>Rule files or directories (absolute), or <see cref="DefaultPack"/>.</summary>
    public IReadOnlyList<string> RulePaths { get; init; } = [DefaultPack];

    /// <summary>Stamped on alerts whose events carry no cluster name.</summary>
    public string? Cluster { get; init; }

    public int MaxKeys { get; init; } = DetectionOptions.DefaultMaxKeys;

    public TimeSpan LateTolerance { get; init; } = DetectionOptions.Default.LateTolerance;

    /// <summary>Detection workers; null for one per core.</summary>
    public int? Workers { get; init; }

    /// <summary>
    /// The longest a processed event waits for its store commit (and its alerts for publishing) while
    /// more keep arriving; null for the pipeline's default. Shorter lowers event-to-alert latency under
    /// sustained load, for more, smaller store transactions.
    /// </summary>
    public TimeSpan? FlushInterval { get; init; }
}

/// <summary>The kinds of alert sink.</summary>
public enum SinkType
{
    Stdout,
    File,
    Webhook,
    Slack,
    Alertmanager,
}

/// <summary>One entry of <c>sinks:</c>.</summary>
public sealed record SinkSettings
{
    public required string Name { get; init; }

    public required SinkType Type { get; init; }

    /// <summary>The JSON-lines file of a <see cref="SinkType.File"/> sink (absolute).</summary>
    public string? Path { get; init; }

    /// <summary>The endpoint of an HTTP sink.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// A file holding the endpoint (absolute), for URLs that are secrets themselves (a Slack incoming
    /// webhook carries its credential in the path). Read at start.
    /// </summary>
    public string? UrlFile { get; init; }

    /// <summary>Extra request headers of an HTTP sink (never <c>Authorization</c>: that comes from <see cref="TokenFile"/>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A file holding the bearer token sent to the endpoint (absolute).</summary>
    public string? TokenFile { get; init; }

    public Severity MinSeverity { get; init; } = Severity.Info;

    public IReadOnlyList<string> Rules { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];

    public TimeSpan? DedupWindow { get; init; }

    /// <summary>Sustained alerts per second; null for no limit.</summary>
    public double? Rate { get; init; }

    public int? Burst { get; init; }

    /// <summary>Retries after the first attempt; null for the dispatcher's default.</summary>
    public int? Retries { get; init; }

    public int? QueueCapacity { get; init; }

    /// <summary>The sink with no configuration: every alert as a JSON line on standard output.</summary>
    public static SinkSettings StandardOutput { get; } = new() { Name = "stdout", Type = SinkType.Stdout };
}

/// <summary>The <c>responses:</c> section: automated actions on alerts, already loaded and validated.</summary>
public sealed record ResponseSettings
{
    /// <summary>The responses YAML file (absolute).</summary>
    public required string File { get; init; }

    /// <summary>Its rules and guard rails (dry run unless the file says <c>dryRun: false</c>).</summary>
    public required ResponseConfig Config { get; init; }

    /// <summary>The kubeconfig to act through (absolute); null for the in-cluster service account.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context; null for its current one.</summary>
    public string? Context { get; init; }
}

/// <summary>The <c>store:</c> section.</summary>
public sealed record StoreSettings
{
    /// <summary>The store's file name in the data directory when <see cref="Path"/> is not given.</summary>
    public const string DefaultFileName = "auditrail.duckdb";

    /// <summary>An hour: retention by age needs no finer grain, and a purge rewrites part of the file.</summary>
    public static readonly TimeSpan DefaultPurgeInterval = TimeSpan.FromHours(1);

    /// <summary>The DuckDB file (absolute); null for <c>DATA/auditrail.duckdb</c>.</summary>
    public string? Path { get; init; }

    public TimeSpan? MaxAge { get; init; }

    public long? MaxBytes { get; init; }

    public TimeSpan PurgeInterval { get; init; } = DefaultPurgeInterval;
}

/// <summary>The <c>metrics:</c> section.</summary>
public sealed record MetricsSettings
{
    /// <summary>
    /// Whether <c>/metrics</c> needs an API token with the read scope. Off by default: the page holds
    /// counts only, never audit data, and Prometheus scrapes it without credentials in most clusters.
    /// </summary>
    public bool RequireToken { get; init; }
}
