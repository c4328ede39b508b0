using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Hosting;

/// <summary>TLS from PEM files, reloaded when they change (cert-manager and kubelet rewrite Secret mounts in place).</summary>
public sealed record TlsOptions
{
    /// <summary>
    /// How often the files are compared with what is loaded: 10 s, well under the minute or so kubelet takes
    /// to project a renewed Secret, and two small file reads each time.
    /// </summary>
    public static readonly TimeSpan DefaultReloadInterval = TimeSpan.FromSeconds(10);

    public required string CertificateFile { get; init; }

    public required string KeyFile { get; init; }

    public TimeSpan ReloadInterval { get; init; } = DefaultReloadInterval;

    /// <summary>
    /// The hook for client-certificate authentication (issue 9: the apiserver presents a client cert
    /// named in its admission kubeconfig): set <see cref="HttpsConnectionAdapterOptions.ClientCertificateMode"/>
    /// and <see cref="HttpsConnectionAdapterOptions.ClientCertificateValidation"/> here. Null: no client certificate is asked for.
    /// </summary>
    public Action<HttpsConnectionAdapterOptions>? ConfigureHttps { get; init; }
}

/// <summary>What the host needs to start: where to listen, TLS, limits, logging.</summary>
public sealed record ServerOptions
{
    public IReadOnlyList<ListenAddress> Listen { get; init; } = [ListenAddress.Default];

    /// <summary>Null serves plain HTTP, for local use and benchmarks; kube-apiserver calls webhooks only over HTTPS.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>Kestrel's cap on any request body; each module may enforce a smaller one of its own.</summary>
    public long MaxRequestBodyBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// How long shutdown waits for in-flight requests: 20 s, under the 30 s a pod gets between SIGTERM
    /// and SIGKILL by default.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Adds logging providers (console, JSON); none when null.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
