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
