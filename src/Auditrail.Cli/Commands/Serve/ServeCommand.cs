using System.CommandLine;
using System.Net.Sockets;
using Auditrail.Admission.Review;
using Auditrail.Cli.Hosting;
using Auditrail.Server.Admission;
using Auditrail.Server.Configuration;
using Auditrail.Server.Hosting;
using Auditrail.Server.Namespaces;
using Auditrail.Server.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Auditrail.Cli.Commands.Serve;

/// <summary>
/// <c>auditrail serve</c>: the admission webhook server (<c>/validate</c>, <c>/mutate</c>, <c>/healthz</c>,
/// <c>/readyz</c>). Complete (config file and options) → validate (every problem listed, nothing
/// started) → run until SIGTERM or Ctrl-C, then drain in-flight reviews.
/// </summary>
internal static class ServeCommand
{
    public const string Examples = """
          # Local try-out: plain HTTP on 127.0.0.1:8443, every setting at its default
          auditrail serve

          # As kube-apiserver needs it: TLS from PEM files (reloaded when they change), all interfaces
          auditrail serve --listen 0.0.0.0:8443 --tls-cert /etc/auditrail/tls/tls.crt --tls-key /etc/auditrail/tls/tls.key

          # Everything from a file (failurePolicy, time budget, Pod Security defaults, guardrails)
          auditrail serve --config /etc/auditrail/serve.yaml

          # A minimal serve.yaml:
          #   apiVersion: auditrail.io/v1alpha1
          #   kind: ServeConfiguration
          #   listen: 0.0.0.0:8443
          #   tls: { certFile: tls.crt, keyFile: tls.key }
          #   admission:
          #     failurePolicy: Fail
          #     timeout: 2s
          #     podSecurity: { defaults: { enforce: restricted } }   # then the bundled guardrails run
          #     namespaces: [namespaces.yaml]   # or kubeconfig: FILE to watch them; in a pod, the cluster's
        """;

    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config") { Description = "YAML file (kind: ServeConfiguration); command-line options override it.", HelpName = "FILE" };
        var listen = new Option<string[]>("--listen") { Description = "Address to listen on (repeatable). Default 127.0.0.1:8443, loopback only.", HelpName = "HOST:PORT", AllowMultipleArgumentsPerToken = false };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate (chain) to serve; reloaded when the file changes. Needs --tls-key.", HelpName = "FILE" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert.", HelpName = "FILE" };
        var command = new Command("serve", "Serve the validating and mutating admission webhooks (/validate, /mutate) with health endpoints, until SIGTERM or Ctrl-C.")
        {
            config, listen, tlsCert, tlsKey,
        };
        command.SetAction(parseResult =>
        {
            var overrides = new ServeOverrides
            {
                Listen = parseResult.GetValue(listen) ?? [],
                TlsCertificateFile = parseResult.GetValue(tlsCert),
                TlsKeyFile = parseResult.GetValue(tlsKey),
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

        var admission = new AdmissionModule(composed.Reviewer, new AdmissionEndpointOptions
        {
            FailurePolicy = configuration.Admission.FailurePolicy,
            TimeBudget = configuration.Admission.TimeBudget,
            Limits = new AdmissionReviewReadOptions { MaxBytes = configuration.Admission.MaxRequestBytes, MaxDepth = configuration.Admission.MaxNestingDepth },
        });
        var options = new ServerOptions
        {
            Listen = configuration.Listen,
            Tls = configuration.Tls is { } tls ? new TlsOptions { CertificateFile = tls.CertificateFile, KeyFile = tls.KeyFile, ReloadInterval = tls.ReloadInterval } : null,
            MaxRequestBodyBytes = configuration.Admission.MaxRequestBytes,
            ShutdownTimeout = configuration.ShutdownTimeout,
            ConfigureLogging = logging => ConfigureLogging(logging, configuration.Logging),
        };

        AuditrailServer server;
        try
        {
            server = AuditrailServer.Create(options, composed.NamespaceCache is { } cache ? [admission, new NamespaceCacheModule(cache)] : [admission]);
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

            context.Error.WriteLine($"auditrail serve: listening on {string.Join(", ", server.Addresses)} (POST /validate, POST /mutate, GET /healthz, GET /readyz); "
                + $"failurePolicy {configuration.Admission.FailurePolicy}, time budget {configuration.Admission.TimeBudget.TotalMilliseconds:0} ms");
            onStarted?.Invoke(server);
            await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            context.Error.WriteLine("auditrail serve: stopped");
        }

        return ExitCodes.Success;
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
