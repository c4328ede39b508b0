using System.CommandLine;
using System.Net.Sockets;
using Auditrail.Admission.Review;
using Auditrail.Cli.Hosting;
using Auditrail.Server.Admission;
using Auditrail.Server.Configuration;
using Auditrail.Server.Hosting;
using Auditrail.Server.Ingest;
using Auditrail.Server.Namespaces;
using Auditrail.Server.Security;
using Auditrail.Server.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Auditrail.Cli.Commands.Serve;

/// <summary>
/// <c>auditrail serve</c>: the live server. The audit webhook (<c>/audit/webhook</c>) and tailed log files
/// feed a write-ahead queue; the pipeline detects, stores and alerts; the query API, <c>/metrics</c>, the
/// health endpoints and the admission webhooks (<c>/validate</c>, <c>/mutate</c>) are served beside it.
/// Complete (config file and options) → validate (every problem listed, nothing started) → build (rules,
/// responses, sinks, store, queue; every problem listed, exit 2) → run until SIGTERM or Ctrl-C, then drain.
/// </summary>
internal static class ServeCommand
{
    public const string Examples = """
          # Local try-out: 127.0.0.1:8443, default rule pack, alerts on stdout, data in ./auditrail-data,
          # one generated token in ./auditrail-data/api-token for ingest and the API
          auditrail serve
          curl -H "Authorization: Bearer $(cat auditrail-data/api-token)" --data-binary @events.json http://127.0.0.1:8443/audit/webhook/dev
          curl -H "Authorization: Bearer $(cat auditrail-data/api-token)" http://127.0.0.1:8443/api/v1/alerts

          # Another data directory, all interfaces, TLS from PEM files (reloaded when they change)
          auditrail serve --data /var/lib/auditrail --listen 0.0.0.0:8443 --tls-cert tls.crt --tls-key tls.key

          # Everything from a file (tokens, sinks, rules, responses, retention; docs/server.md)
          auditrail serve --config /etc/auditrail/serve.yaml

          # A minimal serve.yaml:
          #   apiVersion: auditrail.io/v1alpha1
          #   kind: ServeConfiguration
          #   listen: 0.0.0.0:8443
          #   tls: { certFile: tls.crt, keyFile: tls.key }
          #   ingest: { tokens: [{ file: /etc/auditrail/tokens/ingest-token }], cluster: production }
          #   api: { tokens: [{ file: /etc/auditrail/tokens/read-token, scopes: [read] }] }
          #   sinks:
          #     - { name: log, type: stdout, minSeverity: medium }
          #     - { name: siem, type: webhook, url: "https://siem.example.com/in", tokenFile: siem-token }
        """;

    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config") { Description = "YAML file (kind: ServeConfiguration); command-line options override it.", HelpName = "FILE" };
        var listen = new Option<string[]>("--listen") { Description = "Address to listen on (repeatable). Default 127.0.0.1:8443, loopback only.", HelpName = "HOST:PORT", AllowMultipleArgumentsPerToken = false };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate (chain) to serve; reloaded when the file changes. Needs --tls-key.", HelpName = "FILE" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert.", HelpName = "FILE" };
        var data = new Option<string?>("--data") { Description = "Data directory: write-ahead queue, store, generated token. Default ./auditrail-data.", HelpName = "DIR" };
        var command = new Command("serve", "Run the live server: audit webhook ingest, detection, alert sinks, responses, the query API, /metrics, health and the admission webhooks, until SIGTERM or Ctrl-C.")
        {
            config, listen, tlsCert, tlsKey, data,
        };
        command.SetAction(parseResult =>
        {
            var overrides = new ServeOverrides
            {
                Listen = parseResult.GetValue(listen) ?? [],
                TlsCertificateFile = parseResult.GetValue(tlsCert),
                TlsKeyFile = parseResult.GetValue(tlsKey),
                DataDirectory = parseResult.GetValue(data),
            };
            return RunAsync(context, parseResult.GetValue(config), overrides, onStarted: null, CancellationToken.None).GetAwaiter().GetResult();
        });
        return command;
    }

    /// <summary>Loads, validates and runs; <paramref name="onStarted"/> sees the listening server (tests read its address).</summary>
    internal static async Task<int> RunAsync(CliContext context, string? configFile, ServeOverrides overrides, Action<AuditrailServer>? onStarted, CancellationToken cancellationToken)
    {
        var loaded = ServeConfigurationLoader.Load(configFile, overrides);
        if (!loaded.IsValid)
        {
            foreach (var problem in loaded.Problems)
            {
                context.Error.WriteLine(problem.ToString());
            }

            context.Error.WriteLine($"error: the configuration has {loaded.Problems.Count} problem(s); the server was not started");
            return ExitCodes.UsageOrUnusableInput;
        }

        var configuration = loaded.Configuration!;
        if (AdmissionComposition.Compose(context, configuration.Admission) is not { } composed)
        {
            context.Error.WriteLine("error: the admission checks cannot be built; the server was not started");
            return ExitCodes.UsageOrUnusableInput;
        }

        await using var namespaceCache = composed.NamespaceCache;
        foreach (var warning in composed.Warnings)
        {
            context.Error.WriteLine($"warning: {warning}");
        }

        if (configuration.Tls is null)
        {
            context.Error.WriteLine("warning: serving plain HTTP; kube-apiserver calls admission webhooks only over HTTPS (give --tls-cert and --tls-key)");
        }

        await using var live = await LiveComposition.ComposeAsync(context, configuration).ConfigureAwait(false);
        if (live is null)
        {
            context.Error.WriteLine("error: the server cannot be built; it was not started");
            return ExitCodes.UsageOrUnusableInput;
        }

        var admission = new AdmissionModule(composed.Reviewer, new AdmissionEndpointOptions
        {
            FailurePolicy = configuration.Admission.FailurePolicy,
            TimeBudget = configuration.Admission.TimeBudget,
            Limits = new AdmissionReviewReadOptions { MaxBytes = configuration.Admission.MaxRequestBytes, MaxDepth = configuration.Admission.MaxNestingDepth },
        });
        var options = new ServerOptions
        {
            Listen = configuration.Listen,
            Tls = configuration.Tls is { } tls
                ? new TlsOptions
                {
                    CertificateFile = tls.CertificateFile,
                    KeyFile = tls.KeyFile,
                    ReloadInterval = tls.ReloadInterval,
                    ConfigureHttps = live.ClientAuthorities is { } authorities ? https => IngestClientCertificates.Configure(https, authorities) : null,
                }
                : null,
            // Kestrel's cap fits the larger of the two bodies; each module enforces its own.
            MaxRequestBodyBytes = Math.Max(configuration.Admission.MaxRequestBytes, configuration.Ingest.MaxBodyBytes),
            ShutdownTimeout = configuration.ShutdownTimeout,
            ConfigureLogging = logging => ConfigureLogging(logging, configuration.Logging),
        };

        List<IServerModule> modules = [admission, .. live.Modules];
        if (composed.NamespaceCache is { } cache)
        {
            modules.Add(new NamespaceCacheModule(cache));
        }

        AuditrailServer server;
        try
        {
            server = AuditrailServer.Create(options, modules);
        }
        catch (CertificateLoadException ex)
        {
            context.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.UsageOrUnusableInput;
        }

        await using (server.ConfigureAwait(false))
        {
            try
            {
                await server.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex.InnerException is SocketException || ex.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
            {
                context.Error.WriteLine($"error: cannot listen on {string.Join(", ", configuration.Listen)}: {ex.Message}");
                return ExitCodes.UsageOrUnusableInput;
            }

            context.Error.WriteLine(StartupLine(server, configuration, live));
            onStarted?.Invoke(server);
            await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            context.Error.WriteLine("auditrail serve: stopped");
        }

        return ExitCodes.Success;
    }

    /// <summary>The one line an operator reads at start: where it listens, what it serves, where its data and token are.</summary>
    private static string StartupLine(AuditrailServer server, ServeConfiguration configuration, LiveComposition live)
    {
        var line = new System.Text.StringBuilder("auditrail serve: listening on ").AppendJoin(", ", server.Addresses)
            .Append(" (POST /audit/webhook[/{cluster}], GET /api/v1/{alerts,who,changes,denied,timeline,events/{auditID}}, POST /api/v1/sql, ")
            .Append("GET /metrics, GET /healthz, GET /readyz, POST /validate, POST /mutate); data in ").Append(configuration.DataDirectory)
            .Append(", store ").Append(configuration.StorePath)
            .Append("; alerts to ").Append(configuration.Sinks.Count == 0 ? "the store only" : string.Join(", ", configuration.Sinks.Select(s => $"{s.Name} ({s.Type.ToString().ToLowerInvariant()})")));
        if (live.Tokens.GeneratedTokenFile is { } tokenFile)
        {
            line.Append("; bearer token in ").Append(tokenFile).Append(" for ").Append(live.Tokens.GeneratedScopes switch
            {
                AccessScope.Ingest => "ingest",
                AccessScope.Admin => "read and admin",
                _ => "ingest, read and admin",
            });
        }

        line.Append("; admission failurePolicy ").Append(configuration.Admission.FailurePolicy)
            .Append(", time budget ").Append(configuration.Admission.TimeBudget.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)).Append(" ms");
        if (configuration.Tls is null)
        {
            line.Append("; plain HTTP");
        }

        return line.ToString();
    }

    /// <summary>Logs go to stderr like every other diagnostic; the framework's own chatter only from warnings up.</summary>
    private static void ConfigureLogging(ILoggingBuilder logging, LogSettings settings)
    {
        logging.SetMinimumLevel(settings.Level);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        if (settings.Format == LogFormat.Json)
        {
            logging.AddJsonConsole(console =>
            {
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                console.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
        }

        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
