using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Auditrail.Cli.Commands.Serve;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;
using Auditrail.Server.Configuration;
using Auditrail.Server.Hosting;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary><c>auditrail serve</c>: help, refusal of bad configuration before anything listens, and a real run.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("auditrail-serve-");

    private string Dir => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    private string Write(string name, string text) => _scratch.Write(name, text);

    [Fact]
    public void Help_shows_options_and_examples()
    {
        var result = CliRunner.Run("serve", "--help");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (var expected in new[] { "--config", "--listen", "--tls-cert", "--tls-key", "--data", "Examples:", "auditrail serve --config /etc/auditrail/serve.yaml", "/audit/webhook" })
        {
            Assert.Contains(expected, result.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Invalid_configuration_is_refused_with_every_problem_and_exit_2()
    {
        var path = Write("serve.yaml", "apiVersion: auditrail.io/v1alpha1\nkind: ServeConfiguration\nlisten: nowhere\nadmission:\n  failurePolicy: Sometimes\n  timeout: 2\n");
        var result = CliRunner.Run("serve", "--config", path);
        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains($"{path}:3:9 error AR7005 listen:", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{path}:5:18 error AR7005 admission.failurePolicy: expected Fail or Ignore, found 'Sometimes'", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{path}:6:12 error AR7005 admission.timeout:", result.Error, StringComparison.Ordinal);
        Assert.Contains("the configuration has 3 problem(s); the server was not started", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void Tls_certificate_without_key_is_a_usage_error()
    {
        var certificate = Write("tls.crt", "x");
        var result = CliRunner.Run("serve", "--tls-cert", certificate);
        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("--tls-key error AR7007", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unusable_certificate_files_stop_the_start_with_exit_2()
    {
        var certificate = Write("tls.crt", "not pem");
        var key = Write("tls.key", "not pem");
        var result = CliRunner.Run("serve", "--listen", "127.0.0.1:0", "--tls-cert", certificate, "--tls-key", key, "--data", Path.Combine(Dir, "data"));
        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("do not hold a PEM certificate and its matching private key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_tls_options_answers_over_https_with_that_certificate()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=auditrail-cli-test", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        var certificateFile = Write("tls.crt", certificate.ExportCertificatePem());
        var keyFile = Write("tls.key", key.ExportPkcs8PrivateKeyPem());

        using var serve = await RunningServe.StartAsync(null, new ServeOverrides { Listen = ["127.0.0.1:0"], TlsCertificateFile = certificateFile, TlsKeyFile = keyFile });
        var server = serve.Server;

        string? served = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                {
                    served = presented?.GetCertHashString();
                    return served == certificate.GetCertHashString();
                },
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = server.Addresses[0] };
        Assert.Equal("https", server.Addresses[0].Scheme);
        Assert.Equal("ok", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.Equal(certificate.GetCertHashString(), served);
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public void Address_in_use_is_reported_with_exit_2()
    {
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;
        var result = CliRunner.Run("serve", "--listen", $"127.0.0.1:{port}", "--data", Path.Combine(Dir, "data"));
        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains($"error: cannot listen on 127.0.0.1:{port}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_answers_reviews_until_stopped_then_exits_0()
    {
        var config = Write("serve.yaml", "apiVersion: auditrail.io/v1alpha1\nkind: ServeConfiguration\nlisten: 127.0.0.1:0\nlogging: { level: warning }\nadmission: { failurePolicy: Ignore, timeout: 500ms }\n");
        using var serve = await RunningServe.StartAsync(config, new ServeOverrides());
        var server = serve.Server;

        using var client = new HttpClient { BaseAddress = server.Addresses[0] };
        // Ready once the pipeline has recovered from its (empty) queue, moments after the listener opens.
        await serve.WaitUntilReadyAsync();
        const string review = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"cli-1",
             "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
             "namespace":"default","operation":"CREATE","userInfo":{"username":"alice"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
             "spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"app","image":"registry.example/app:1.0",
               "securityContext":{"allowPrivilegeEscalation":false},
               "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"100m","memory":"64Mi"}}}]}}}}
            """;
        using var content = new StringContent(review, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri("/validate", UriKind.Relative), content);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("cli-1", body.RootElement.GetProperty("response").GetProperty("uid").GetString());
        // The bundled guardrails ran and found nothing to object to in this pod.
        Assert.True(body.RootElement.GetProperty("response").GetProperty("allowed").GetBoolean(), body.RootElement.ToString());

        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
        var log = serve.Error.ToString();
        Assert.Contains("listening on http://127.0.0.1:", log, StringComparison.Ordinal);
        Assert.Contains("failurePolicy Ignore, time budget 500 ms", log, StringComparison.Ordinal);
        Assert.Contains("warning: no namespace source", log, StringComparison.Ordinal);
        Assert.Contains("auditrail serve: stopped", log, StringComparison.Ordinal);
    }
}
