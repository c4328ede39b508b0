using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Auditrail.Server.Hosting;
using Auditrail.Server.Ingest;
using Auditrail.Server.Tests.Support;
using static Auditrail.Server.Tests.Ingest.AuditEvents;

namespace Auditrail.Server.Tests.Ingest;

/// <summary>The apiserver's client certificate as the credential: a CA made in the test signs it; another CA's certificate is refused.</summary>
public sealed class IngestClientCertificateTests : IDisposable
{
    private readonly TestCertificates _files = new();
    private readonly X509Certificate2 _serving = TestCertificates.Create("auditrail-webhook");
    private readonly X509Certificate2 _authority = CreateAuthority("audit-clients-ca");
    private readonly X509Certificate2 _stranger = CreateAuthority("someone-else-ca");

    public void Dispose()
    {
        _files.Dispose();
        _serving.Dispose();
        _authority.Dispose();
        _stranger.Dispose();
    }

    private static X509Certificate2 CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
    }

    /// <summary>A client certificate (clientAuth) issued by <paramref name="issuer"/>, with its private key.</summary>
    private static X509Certificate2 IssueClient(X509Certificate2 issuer, string name, string usage = "1.3.6.1.5.5.7.3.2")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        var now = TimeProvider.System.GetUtcNow();
        using var issued = request.Create(issuer, now.AddHours(-1), now.AddYears(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);
        // Exported and re-imported so the TLS stack on Linux can use the ephemeral key.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private HttpMessageHandler ClientPresenting(X509Certificate2? certificate)
    {
        var handler = (SocketsHttpHandler)TestCertificates.ClientTrusting(_serving);
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        return handler;
    }

    private Task<IngestServer> StartAsync(HttpMessageHandler handler)
    {
        _files.Write(_serving);
        var authorities = new X509Certificate2Collection(_authority);
        var server = new ServerOptions
        {
            Tls = new TlsOptions
            {
                CertificateFile = _files.CertificateFile,
                KeyFile = _files.KeyFile,
                ReloadInterval = Timeout.InfiniteTimeSpan,
                ConfigureHttps = https => IngestClientCertificates.Configure(https, authorities),
            },
        };
        var options = new IngestOptions { Tokens = IngestServer.Tokens(), AllowClientCertificates = true, ClientCertificateAuthorities = authorities };
        return IngestServer.StartAsync(options, serverOptions: server, handler: handler);
    }

    [Fact]
    public async Task A_certificate_from_the_configured_authority_is_enough_without_a_token()
    {
        using var client = IssueClient(_authority, "kube-apiserver-audit");
        await using var server = await StartAsync(ClientPresenting(client));
        server.Client.DefaultRequestHeaders.Authorization = null;

        await server.AssertAcceptedAsync(events: 2, sequence: 1);
    }

    [Fact]
    public async Task Without_a_certificate_the_token_still_works_and_nothing_at_all_gets_401()
    {
        await using var server = await StartAsync(ClientPresenting(null));
        Assert.Equal(200, (await server.PostAsync(List(1))).Status);

        server.Client.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(401, (await server.PostAsync(List(1))).Status);
        Assert.Equal(1, server.Wal.LastSequence);
    }

    [Fact]
    public async Task A_certificate_from_another_authority_is_refused_at_the_handshake()
    {
        using var wrong = IssueClient(_stranger, "impostor");
        await using var server = await StartAsync(ClientPresenting(null));
        using var impostor = new HttpClient(ClientPresenting(wrong)) { BaseAddress = server.Client.BaseAddress };

        await Assert.ThrowsAsync<HttpRequestException>(() => impostor.PostAsync(new Uri("/audit/webhook", UriKind.Relative), IngestServer.Json(List(1))));
        Assert.Equal(0, server.Wal.LastSequence);
    }

    [Fact]
    public void Only_client_authentication_certificates_chaining_to_the_authorities_pass()
    {
        using var good = IssueClient(_authority, "apiserver");
        using var serverOnly = IssueClient(_authority, "not-a-client", usage: "1.3.6.1.5.5.7.3.1");
        using var other = IssueClient(_stranger, "other");
        var authorities = new X509Certificate2Collection(_authority);

        Assert.True(IngestClientCertificates.ChainsTo(good, authorities, TimeProvider.System));
        Assert.False(IngestClientCertificates.ChainsTo(serverOnly, authorities, TimeProvider.System));
        Assert.False(IngestClientCertificates.ChainsTo(other, authorities, TimeProvider.System));
        Assert.False(IngestClientCertificates.ChainsTo(good, [], TimeProvider.System));
    }
}
