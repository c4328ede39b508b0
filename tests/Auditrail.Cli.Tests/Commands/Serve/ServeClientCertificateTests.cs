using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;
using Auditrail.Server.Configuration;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary>
/// <c>ingest.clientCA</c>: kube-apiserver may authenticate with the client certificate of its webhook
/// kubeconfig instead of a token. Over real TLS on loopback, a certificate issued by the configured
/// authority is let in without a token; no certificate and no token is refused.
/// </summary>
public sealed class ServeClientCertificateTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("auditrail-serve-mtls-");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_client_certificate_from_the_configured_authority_may_post_without_a_token()
    {
        var now = TimeProvider.System.GetUtcNow();
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=auditrail-test-ca", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=kube-apiserver", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = clientRequest.Create(authority, now.AddHours(-1), now.AddHours(1), [1, 2, 3, 4]);
        using var client = issued.CopyWithPrivateKey(clientKey);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=auditrail-server", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        using var server = serverRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        _scratch.Write("ca.pem", authority.ExportCertificatePem());
        _scratch.Write("tls.crt", server.ExportCertificatePem());
        _scratch.Write("tls.key", serverKey.ExportPkcs8PrivateKeyPem());
        var config = _scratch.Write("serve.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: ServeConfiguration
            listen: 127.0.0.1:0
            tls: { certFile: tls.crt, keyFile: tls.key }
            logging: { level: warning }
            ingest: { clientCA: ca.pem, cluster: mtls }
            sinks: []
            """);
        using var serve = await RunningServe.StartAsync(config, new ServeOverrides());
        // No ingest token is configured and the CA stands for one: the generated token is for the API only.
        Assert.Contains("for read and admin", serve.Error.ToString(), StringComparison.Ordinal);

        var batch = AuditBatches.Make(7, events: 10, triggerEvery: 0);
        using (var withCertificate = Https(server, client))
        using (var response = await withCertificate.PostAsync(new Uri("/audit/webhook", UriKind.Relative), batch.Content()))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var anonymous = Https(server, null))
        using (var response = await anonymous.PostAsync(new Uri("/audit/webhook", UriKind.Relative), batch.Content()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(ExitCodes.Success, await serve.StopAsync());

        HttpClient Https(X509Certificate2 trusted, X509Certificate2? certificate)
        {
            var handler = new SocketsHttpHandler
            {
                SslOptions = new System.Net.Security.SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == trusted.GetCertHashString(),
                    ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
                },
            };
            return new HttpClient(handler) { BaseAddress = serve.Server.Addresses[0] };
        }
    }
}
