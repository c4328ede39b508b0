using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Auditrail.Server.Tests.Support;

/// <summary>Self-signed serving certificates made in the test, written as the PEM pair a Secret mount holds.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-tls-").FullName;

    public string CertificateFile => Path.Combine(_directory, "tls.crt");

    public string KeyFile => Path.Combine(_directory, "tls.key");

    /// <summary>A certificate for 127.0.0.1 and localhost, as the webhook's Service name would be.</summary>
    public static X509Certificate2 Create(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
    }

    /// <summary>Writes the pair; <paramref name="keyOf"/> lets a test write a mismatched key.</summary>
    public void Write(X509Certificate2 certificate, X509Certificate2? keyOf = null)
    {
        File.WriteAllText(CertificateFile, certificate.ExportCertificatePem());
        WriteKey(keyOf ?? certificate);
    }

    public void WriteCertificateOnly(X509Certificate2 certificate) => File.WriteAllText(CertificateFile, certificate.ExportCertificatePem());

    public void WriteKey(X509Certificate2 certificate) => File.WriteAllText(KeyFile, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

    /// <summary>
    /// A client that trusts exactly <paramref name="trusted"/> as its root and checks the host name, as
    /// kube-apiserver does with a webhook's caBundle; <paramref name="seen"/> gets the certificate served.
    /// </summary>
    public static HttpMessageHandler ClientTrusting(X509Certificate2 trusted, Action<X509Certificate2>? seen = null) => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                var served = new X509Certificate2(certificate);
                seen?.Invoke(served);
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(trusted);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(served);
            },
        },
        PooledConnectionLifetime = TimeSpan.Zero,
    };

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
