using System.Net;
using System.Security.Cryptography.X509Certificates;
using Auditrail.Server.Admission;
using Auditrail.Server.Hosting;
using Auditrail.Server.Tests.Support;
using Auditrail.Server.Tls;

namespace Auditrail.Server.Tests.Tls;

public sealed class TlsTests : IDisposable
{
    private readonly TestCertificates _files = new();
    private readonly X509Certificate2 _first = TestCertificates.Create("auditrail-webhook-first");
    private readonly X509Certificate2 _second = TestCertificates.Create("auditrail-webhook-second");

    public void Dispose()
    {
        _files.Dispose();
        _first.Dispose();
        _second.Dispose();
    }

    private ServerOptions TlsServer(TimeSpan reload) => new()
    {
        Tls = new TlsOptions { CertificateFile = _files.CertificateFile, KeyFile = _files.KeyFile, ReloadInterval = reload },
    };

    [Fact]
    public async Task Reviews_are_served_over_tls_to_a_client_trusting_exactly_that_certificate()
    {
        _files.Write(_first);
        X509Certificate2? served = null;
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(), serverOptions: TlsServer(Timeout.InfiniteTimeSpan),
            handler: TestCertificates.ClientTrusting(_first, c => served = c));
        Assert.Equal("https", server.BaseAddress.Scheme);

        var (status, body) = await server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam))));
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("response").GetProperty("allowed").GetBoolean());
        Assert.Equal(_first.Thumbprint, served!.Thumbprint);

        // A client that trusts another certificate refuses the server.
        using var stranger = new HttpClient(TestCertificates.ClientTrusting(_second)) { BaseAddress = server.BaseAddress };
        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
    }

    [Fact]
    public async Task Plain_http_to_the_tls_port_is_not_served()
    {
        _files.Write(_first);
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(), serverOptions: TlsServer(Timeout.InfiniteTimeSpan),
            handler: TestCertificates.ClientTrusting(_first));
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.BaseAddress.Port}") };
        // Kestrel closes a connection whose first bytes are not a TLS handshake.
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(new Uri("/healthz", UriKind.Relative)));
    }

    [Fact]
    public async Task Swapped_files_are_served_on_the_next_new_connection()
    {
        _files.Write(_first);
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(), serverOptions: TlsServer(TimeSpan.FromMilliseconds(100)),
            handler: TestCertificates.ClientTrusting(_first));
        Assert.Equal("ok", await server.Client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));

        _files.Write(_second);
        var reloader = server.Server.Certificates!;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (reloader.Current.Thumbprint != _second.Thumbprint && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        X509Certificate2? served = null;
        using var client = new HttpClient(TestCertificates.ClientTrusting(_second, c => served = c)) { BaseAddress = server.BaseAddress };
        Assert.Equal("ok", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.Equal(_second.Thumbprint, served!.Thumbprint);
        Assert.Equal(1, reloader.Reloads);

        // The old certificate is no longer served to new connections.
        using var oldTrust = new HttpClient(TestCertificates.ClientTrusting(_first)) { BaseAddress = server.BaseAddress };
        await Assert.ThrowsAsync<HttpRequestException>(() => oldTrust.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
    }

    [Fact]
    public void Half_written_pair_keeps_the_old_certificate_until_the_key_matches()
    {
        _files.Write(_first);
        using var reloader = new CertificateReloader(_files.CertificateFile, _files.KeyFile, Timeout.InfiniteTimeSpan, TimeProvider.System);
        Assert.False(reloader.ReloadIfChanged());

        _files.WriteCertificateOnly(_second);
        Assert.False(reloader.ReloadIfChanged());
        Assert.Equal(_first.Thumbprint, reloader.Current.Thumbprint);

        _files.WriteKey(_second);
        Assert.True(reloader.ReloadIfChanged());
        Assert.Equal(_second.Thumbprint, reloader.Current.Thumbprint);
        Assert.True(reloader.Current.HasPrivateKey);
    }

    [Fact]
    public void Unusable_files_fail_at_start_with_both_paths_named()
    {
        File.WriteAllText(_files.CertificateFile, "not a certificate");
        File.WriteAllText(_files.KeyFile, "not a key");
        var error = Assert.Throws<CertificateLoadException>(() => AuditrailServer.Create(TlsServer(Timeout.InfiniteTimeSpan), []));
        Assert.Contains(_files.CertificateFile, error.Message, StringComparison.Ordinal);
        Assert.Contains(_files.KeyFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_files_fail_at_start()
    {
        var error = Assert.Throws<CertificateLoadException>(() => AuditrailServer.Create(TlsServer(Timeout.InfiniteTimeSpan), []));
        Assert.Contains("cannot read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admission_endpoints_answer_over_http2_with_tls()
    {
        _files.Write(_first);
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(), new AdmissionEndpointOptions(), TlsServer(Timeout.InfiniteTimeSpan),
            handler: TestCertificates.ClientTrusting(_first));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/validate", UriKind.Relative))
        {
            Content = Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithoutLabels))),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Contains("\"allowed\":false", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
