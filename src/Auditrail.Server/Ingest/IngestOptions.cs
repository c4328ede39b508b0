using System.Security.Cryptography.X509Certificates;
using Auditrail.Server.Security;

namespace Auditrail.Server.Ingest;

/// <summary>How <c>POST /audit/webhook</c> authenticates and what it accepts.</summary>
public sealed record IngestOptions
{
    /// <summary>
    /// The cluster stamped when the path names none and <see cref="DefaultCluster"/> is null. Every event
    /// in the log then carries a cluster, and a sender can never choose it: stamping always overwrites.
    /// </summary>
    public const string FallbackCluster = "default";

    /// <summary>Bearer tokens; a token needs <see cref="AccessScope.Ingest"/>. Empty: only client certificates can get in.</summary>
    public AccessTokens Tokens { get; init; } = new();

    /// <summary>
    /// Whether a TLS client certificate that chains to <see cref="ClientCertificateAuthorities"/> authenticates
    /// a request (kube-apiserver's webhook kubeconfig can name one). The listener must ask for certificates:
    /// see <see cref="IngestClientCertificates.Configure"/>.
    /// </summary>
    public bool AllowClientCertificates { get; init; }

    /// <summary>The only roots client certificates may chain to; the system's roots are never trusted for this.</summary>
    public X509Certificate2Collection ClientCertificateAuthorities { get; init; } = [];

    /// <summary>
    /// The cluster stamped on events posted to <c>/audit/webhook</c>; <c>/audit/webhook/{cluster}</c>
    /// overrides it. Null stamps <see cref="FallbackCluster"/>.
    /// </summary>
    public string? DefaultCluster { get; init; }

    /// <summary>
    /// Largest request body: 16 MiB, above kube-apiserver's default webhook batch (400 events of a few KB,
    /// or fewer large RequestResponse events) with room to spare. Larger is answered 413.
    /// </summary>
    public long MaxBodyBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// Largest single event: 1 MiB. A bigger one inside a batch is skipped and counted as a bad record
    /// while the rest of the batch is accepted, so one huge object cannot block a cluster's stream.
    /// </summary>
    public int MaxEventBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Deepest JSON nesting accepted: 64, well past real audit events (objects in a Pod spec go ~15 deep)
    /// and low enough that a hostile body cannot make parsing expensive.
    /// </summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>What 429 answers put in <c>Retry-After</c>, in seconds.</summary>
    public int RetryAfterSeconds { get; init; } = 5;
}
