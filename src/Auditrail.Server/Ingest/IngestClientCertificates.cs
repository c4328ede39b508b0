using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Auditrail.Server.Ingest;

/// <summary>
/// Client-certificate authentication for the webhook: kube-apiserver can present the certificate named
/// in its audit webhook kubeconfig. Only the configured authorities are trusted (a custom trust store,
/// never the system's roots), and a certificate with key usages must allow client authentication.
/// </summary>
public static class IngestClientCertificates
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    // Kestrel hands every request on a connection the same certificate object: one chain build per connection.
    private static readonly ConditionalWeakTable<X509Certificate2, StrongBox<bool>> Verdicts = [];

    /// <summary>
    /// Makes a listener ask for a client certificate (optional: token-only clients still connect) and
    /// refuse a handshake whose certificate does not chain to <paramref name="authorities"/>. Pass it as
    /// the host's <c>TlsOptions.ConfigureHttps</c>.
    /// </summary>
    public static void Configure(HttpsConnectionAdapterOptions https, X509Certificate2Collection authorities, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(authorities);
        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
        https.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, authorities, time ?? TimeProvider.System);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to one of <paramref name="authorities"/>, valid now, for client authentication.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(time);
        if (authorities.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // Self-contained trust: the configured roots are the whole story, no CRL or OCSP fetches from the request path.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        return chain.Build(certificate);
    }

    /// <summary>The verdict for a connection's certificate, computed once per certificate object.</summary>
    internal static bool IsTrusted(X509Certificate2 certificate, X509Certificate2Collection authorities, TimeProvider time) =>
        Verdicts.GetValue(certificate, c => new StrongBox<bool>(ChainsTo(c, authorities, time))).Value!;
}
