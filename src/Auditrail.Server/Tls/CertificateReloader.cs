using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Auditrail.Server.Tls;

/// <summary>
/// Holds the serving certificate loaded from a PEM certificate (chain) and key, and replaces it when the
/// files change. Kestrel asks <see cref="Current"/> on every TLS handshake, so a renewed certificate is
/// served on the next new connection without a restart, while open connections keep theirs.
/// <para>
/// The files are polled by content rather than watched: Secret volumes are updated by swapping a
/// <c>..data</c> symlink, which file watchers report unreliably or not at all, and comparing two small
/// files every few seconds costs nothing. A half-written pair (new certificate, old key) fails to load
/// and the old certificate stays in service until the next poll finds a matching pair.
/// </para>
/// </summary>
public sealed partial class CertificateReloader : IDisposable
{
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private ILogger _logger = NullLogger.Instance;
    private readonly ITimer? _timer;
    private readonly Lock _reloadLock = new();
    private byte[] _loadedCertificateBytes;
    private byte[] _loadedKeyBytes;
    private volatile X509Certificate2 _current;

    /// <summary>Loads the pair now (throwing <see cref="CertificateLoadException"/> when it cannot) and polls every <paramref name="interval"/>.</summary>
    public CertificateReloader(string certificateFile, string keyFile, TimeSpan interval, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        (_loadedCertificateBytes, _loadedKeyBytes) = ReadPair();
        _current = Load(_loadedCertificateBytes, _loadedKeyBytes);
        if (interval > TimeSpan.Zero && interval != Timeout.InfiniteTimeSpan)
        {
            _timer = timeProvider.CreateTimer(_ => ReloadIfChanged(), null, interval, interval);
        }
    }

    /// <summary>
    /// Where reloads are logged. Set once the host's logging exists: the reloader is built before the host
    /// so that unusable files stop the start, and logs nothing until then.
    /// </summary>
    public ILogger Logger
    {
        get => _logger;
        set => _logger = value ?? NullLogger.Instance;
    }

    /// <summary>The certificate handed to each new TLS connection.</summary>
    public X509Certificate2 Current => _current;

    /// <summary>Counts certificates loaded after the first; for tests and, later, metrics.</summary>
    public int Reloads { get; private set; }

    /// <summary>Compares the files with what is loaded and loads them when they differ; true when the certificate changed.</summary>
    public bool ReloadIfChanged()
    {
        lock (_reloadLock)
        {
            byte[] certificateBytes, keyBytes;
            try
            {
                (certificateBytes, keyBytes) = ReadPair();
            }
            catch (CertificateLoadException ex)
            {
                LogReloadFailed(_logger, ex.Message);
                return false;
            }

            if (certificateBytes.AsSpan().SequenceEqual(_loadedCertificateBytes) && keyBytes.AsSpan().SequenceEqual(_loadedKeyBytes))
            {
                return false;
            }

            X509Certificate2 loaded;
            try
            {
                loaded = Load(certificateBytes, keyBytes);
            }
            catch (CertificateLoadException ex)
            {
                // Not remembered as loaded: the next poll tries again, when the other file has been written too.
                LogReloadFailed(_logger, ex.Message);
                return false;
            }

            // The previous certificate is not disposed: a handshake may be using it right now, and the
            // few hundred bytes it holds are left to the finalizer.
            _current = loaded;
            _loadedCertificateBytes = certificateBytes;
            _loadedKeyBytes = keyBytes;
            Reloads++;
            LogReloaded(_logger, loaded.Subject, loaded.Thumbprint, loaded.NotAfter);
            return true;
        }
    }

    public void Dispose() => _timer?.Dispose();

    private (byte[] Certificate, byte[] Key) ReadPair()
    {
        try
        {
            return (File.ReadAllBytes(_certificateFile), File.ReadAllBytes(_keyFile));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateLoadException($"cannot read the TLS certificate or key ({_certificateFile}, {_keyFile}): {ex.Message}", ex);
        }
    }

    private X509Certificate2 Load(byte[] certificateBytes, byte[] keyBytes)
    {
        try
        {
            var certificateText = System.Text.Encoding.UTF8.GetString(certificateBytes);
            var keyText = System.Text.Encoding.UTF8.GetString(keyBytes);
            using var ephemeral = X509Certificate2.CreateFromPem(certificateText, keyText);

            // A key created from PEM is ephemeral; SslStream on Windows needs a persisted one, and the
            // PKCS#12 round trip gives that on every platform.
            var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
            return certificate;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new CertificateLoadException(
                $"{_certificateFile} and {_keyFile} do not hold a PEM certificate and its matching private key: {ex.Message}", ex);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "TLS certificate reloaded: {Subject} ({Thumbprint}), valid until {NotAfter:o}")]
    private static partial void LogReloaded(ILogger logger, string subject, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "TLS certificate not reloaded, still serving the previous one: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);
}

/// <summary>The certificate or key files cannot be read, or do not make a certificate with its private key.</summary>
public sealed class CertificateLoadException : Exception
{
    public CertificateLoadException()
    {
    }

    public CertificateLoadException(string message)
        : base(message)
    {
    }

    public CertificateLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
