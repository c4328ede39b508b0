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
/// guardrail directories and Pod Security settings are parsed and validated here and handed to the
/// reviewer composition.
/// </summary>
public sealed record AdmissionSettings
{
    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.Fail;

    public TimeSpan TimeBudget { get; init; } = AdmissionEndpointOptions.DefaultTimeBudget;

    public int MaxRequestBytes { get; init; } = Auditrail.Admission.Review.AdmissionReviewReadOptions.DefaultMaxBytes;

    public int MaxNestingDepth { get; init; } = Auditrail.Admission.Review.AdmissionReviewReadOptions.DefaultMaxDepth;

    /// <summary>Directories of Guardrail documents, absolute (relative ones are resolved against the config file).</summary>
    public IReadOnlyList<string> GuardrailDirectories { get; init; } = [];

    public PodSecuritySettings PodSecurity { get; init; } = new();
}

/// <summary>
/// Pod Security defaults and exemptions, spelled as the PodSecurity admission plugin's
/// PodSecurityConfiguration spells them, so a cluster's existing file can be pasted in.
/// </summary>
public sealed record PodSecuritySettings
{
    /// <summary>Applied to namespaces without <c>pod-security.kubernetes.io/*</c> labels.</summary>
    public PodSecurityModes Defaults { get; init; } = new();

    public PodSecurityExemptions Exemptions { get; init; } = new();
}

/// <summary>A Pod Security level (privileged, baseline, restricted) at a version (<c>latest</c> or <c>v1.N</c>).</summary>
public sealed record PodSecurityLevelVersion(string Level, string Version)
{
    public static PodSecurityLevelVersion PrivilegedLatest { get; } = new("privileged", "latest");

    public override string ToString() => $"{Level}:{Version}";
}

/// <summary>The three modes; upstream's defaults are privileged at latest for each.</summary>
public sealed record PodSecurityModes
{
    public PodSecurityLevelVersion Enforce { get; init; } = PodSecurityLevelVersion.PrivilegedLatest;

    public PodSecurityLevelVersion Audit { get; init; } = PodSecurityLevelVersion.PrivilegedLatest;

    public PodSecurityLevelVersion Warn { get; init; } = PodSecurityLevelVersion.PrivilegedLatest;
}

public sealed record PodSecurityExemptions
{
    public IReadOnlyList<string> Usernames { get; init; } = [];

    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public IReadOnlyList<string> RuntimeClasses { get; init; } = [];
}
