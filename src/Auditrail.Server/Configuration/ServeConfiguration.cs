using Auditrail.Admission.PodSecurity;
using Auditrail.Server.Admission;
using Auditrail.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Configuration;

/// <summary>
/// Everything <c>auditrail serve</c> reads from its YAML file (<c>apiVersion: auditrail.io/v1alpha1</c>,
/// <c>kind: ServeConfiguration</c>), validated; the defaults are what runs with no file.
/// </summary>
public sealed record ServeConfiguration
{
    public const string ApiVersion = "auditrail.io/v1alpha1";
    public const string Kind = "ServeConfiguration";

    /// <summary>The file it came from, or null for the embedded defaults.</summary>
    public string? File { get; init; }

    public IReadOnlyList<ListenAddress> Listen { get; init; } = [ListenAddress.Default];

    public TlsFiles? Tls { get; init; }

    public TimeSpan ShutdownTimeout { get; init; } = new ServerOptions().ShutdownTimeout;

    public LogSettings Logging { get; init; } = new();

    public AdmissionSettings Admission { get; init; } = new();

    /// <summary>The folder name of the default data directory, under the working directory.</summary>
    public const string DefaultDataDirectoryName = "auditrail-data";

    /// <summary>
    /// Where the server keeps its state (absolute): the write-ahead queue (<c>wal/</c>), file-source
    /// checkpoints, the generated token and, by default, the store. Default <c>./auditrail-data</c> under
    /// the working directory, never beside the configuration, which is often a read-only mount.
    /// </summary>
    public string DataDirectory { get; init; } = Path.GetFullPath(DefaultDataDirectoryName);

    public IngestSettings Ingest { get; init; } = new();

    public ApiSettings Api { get; init; } = new();

    /// <summary>Log-backend files to tail (<c>sources.files</c>); none by default.</summary>
    public IReadOnlyList<FileSourceSettings> FileSources { get; init; } = [];

    public DetectionSettings Detection { get; init; } = new();

    /// <summary>Where alerts go; standard output when the file names none.</summary>
    public IReadOnlyList<SinkSettings> Sinks { get; init; } = [SinkSettings.StandardOutput];

    /// <summary>Automated responses; null when none are configured.</summary>
    public ResponseSettings? Responses { get; init; }

    public StoreSettings Store { get; init; } = new();

    public MetricsSettings Metrics { get; init; } = new();

    /// <summary>The store file: <see cref="StoreSettings.Path"/>, or <c>auditrail.duckdb</c> in the data directory.</summary>
    public string StorePath => Store.Path ?? Path.Combine(DataDirectory, StoreSettings.DefaultFileName);

    /// <summary>The write-ahead queue's folder in the data directory.</summary>
    public string WriteAheadLogDirectory => Path.Combine(DataDirectory, "wal");
}

/// <summary>The serving certificate and key (PEM), reloaded when they change.</summary>
public sealed record TlsFiles(string CertificateFile, string KeyFile)
{
    public TimeSpan ReloadInterval { get; init; } = TlsOptions.DefaultReloadInterval;
}

public enum LogFormat
{
    /// <summary>One JSON object per line, for log collectors.</summary>
    Json,

    /// <summary>Human-readable lines, for a terminal.</summary>
    Text,
}

public sealed record LogSettings
{
    public LogLevel Level { get; init; } = LogLevel.Information;

    public LogFormat Format { get; init; } = LogFormat.Json;
}

/// <summary>
/// The <c>admission:</c> section. The server uses the failure policy, budget and limits itself; the
/// guardrail directories, Pod Security settings and namespace source are parsed and validated here and
/// handed to the reviewer composition.
/// </summary>
public sealed record AdmissionSettings
{
    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.Fail;

    public TimeSpan TimeBudget { get; init; } = AdmissionEndpointOptions.DefaultTimeBudget;

    public int MaxRequestBytes { get; init; } = Auditrail.Admission.Review.AdmissionReviewReadOptions.DefaultMaxBytes;

    public int MaxNestingDepth { get; init; } = Auditrail.Admission.Review.AdmissionReviewReadOptions.DefaultMaxDepth;

    /// <summary>Directories of Guardrail documents, absolute (relative ones are resolved against the config file).</summary>
    public IReadOnlyList<string> GuardrailDirectories { get; init; } = [];

    /// <summary>
    /// Pod Security defaults, exemptions and <c>enforceOnTemplates</c>, read straight into the checks'
    /// own configuration (spelled as the PodSecurity admission plugin's file, so a cluster's existing
    /// one can be pasted in).
    /// </summary>
    public PodSecurityConfiguration PodSecurity { get; init; } = new();

    /// <summary>Files or directories of Namespace objects (absolute); empty when the namespaces come from the cluster or nowhere.</summary>
    public IReadOnlyList<string> NamespaceFiles { get; init; } = [];

    /// <summary>The kubeconfig to watch namespaces through (absolute), or null for the in-cluster configuration when running in a pod.</summary>
    public string? Kubeconfig { get; init; }
}
