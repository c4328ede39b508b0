using System.Net;
using System.Security.Authentication;
using Auditrail.Server.Health;
using Auditrail.Server.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Hosting;

/// <summary>
/// The <c>auditrail serve</c> host: Kestrel with the configured listeners and TLS, health endpoints, and
/// the endpoint groups (<see cref="IServerModule"/>) it is given. It reads no appsettings, environment
/// variables or command line of its own, so what it does is exactly what <see cref="ServerOptions"/> says.
/// </summary>
public sealed class AuditrailServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CertificateReloader? _certificates;

    private AuditrailServer(WebApplication app, CertificateReloader? certificates)
    {
        _app = app;
        _certificates = certificates;
    }

    /// <summary>The services of the running host, for modules' counters and tests.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The serving certificate's holder, null without TLS.</summary>
    public CertificateReloader? Certificates => _certificates;

    /// <summary>
    /// The addresses actually bound (with the real port when 0 was asked for), as <c>https://127.0.0.1:PORT</c>.
    /// Known once started.
    /// </summary>
    public IReadOnlyList<Uri> Addresses =>
        [.. (_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(a => new Uri(a))];

    /// <summary>
    /// Builds the host. Throws <see cref="CertificateLoadException"/> when TLS is configured and the files do
    /// not hold a usable certificate and key, so a bad deployment fails at start rather than on the first handshake.
    /// </summary>
    public static AuditrailServer Create(ServerOptions options, IEnumerable<IServerModule> modules)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(modules);
        var allModules = new List<IServerModule> { new HealthModule() };
        allModules.AddRange(modules);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "auditrail" });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(options.TimeProvider);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        CertificateReloader? certificates = null;
        if (options.Tls is { } tls)
        {
            certificates = new CertificateReloader(tls.CertificateFile, tls.KeyFile, tls.ReloadInterval, options.TimeProvider);
            builder.Services.AddSingleton(certificates);
        }

        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            foreach (var address in options.Listen)
            {
                void Configure(ListenOptions listen)
                {
                    // HTTP/2 needs ALPN, so only TLS listeners offer it.
                    listen.Protocols = certificates is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                    if (certificates is not null)
                    {
                        var https = new HttpsConnectionAdapterOptions
                        {
                            ServerCertificateSelector = (_, _) => certificates.Current,
                            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        };
                        options.Tls!.ConfigureHttps?.Invoke(https);
                        listen.UseHttps(https);
                    }
                }

                if (address.IsLocalhost)
                {
                    kestrel.ListenLocalhost(address.Port, Configure);
                }
                else
                {
                    kestrel.Listen(new IPEndPoint(address.Address!, address.Port), Configure);
                }
            }
        });

        foreach (var module in allModules)
        {
            module.ConfigureServices(builder.Services);
        }

        var app = builder.Build();
        if (certificates is not null)
        {
            certificates.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Auditrail.Server.Tls");
        }

        app.UseRouting();
        foreach (var module in allModules)
        {
            module.MapEndpoints(app);
        }

        return new AuditrailServer(app, certificates);
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => _app.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>After <see cref="StartAsync"/>: waits for SIGTERM, Ctrl-C or <paramref name="cancellationToken"/>, then drains in-flight requests.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificates?.Dispose();
    }
}
