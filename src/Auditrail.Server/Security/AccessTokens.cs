using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Auditrail.Server.Security;

/// <summary>How a request fared against the configured tokens.</summary>
public enum AccessOutcome
{
    Allowed,

    /// <summary>No usable credentials: answer 401 with <c>WWW-Authenticate: Bearer</c>.</summary>
    Unauthenticated,

    /// <summary>A known token without the scope: answer 403.</summary>
    Forbidden,
}

/// <summary>
/// The bearer tokens the server accepts and the scopes each carries. Only SHA-256 digests are kept, so
/// a heap dump or a log line never holds a token, and comparison is constant-time.
/// </summary>
public sealed class AccessTokens
{
    /// <summary>The generated token file's name in the data directory.</summary>
    public const string GeneratedTokenFileName = "api-token";

    private readonly List<(byte[] Digest, AccessScope Scope)> _tokens = [];

    /// <summary>True when no token is configured; every check then fails closed.</summary>
    public bool IsEmpty => _tokens.Count == 0;

    /// <summary>Adds a token with its scopes; the same token given twice gets the union.</summary>
    public AccessTokens Add(string token, AccessScope scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        _tokens.Add((Digest(token), scope));
        return this;
    }

    /// <summary>
    /// Whether <paramref name="request"/> carries a bearer token with <paramref name="required"/>.
    /// With no tokens configured nothing is allowed: the server never runs open by accident.
    /// </summary>
    public AccessOutcome Check(HttpRequest request, AccessScope required)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || header.Length == Prefix.Length)
        {
            return AccessOutcome.Unauthenticated;
        }

        return Check(header.AsSpan(Prefix.Length).Trim(), required);
    }

    /// <summary>Checks a bare token.</summary>
    public AccessOutcome Check(ReadOnlySpan<char> token, AccessScope required)
    {
        var digest = Digest(token);
        var granted = AccessScope.None;
        var known = false;
        foreach (var (candidate, scope) in _tokens)
        {
            // Every entry is compared, whatever matched first, so timing says nothing about which token is close.
            if (CryptographicOperations.FixedTimeEquals(candidate, digest))
            {
                known = true;
                granted |= scope;
            }
        }

        if (!known)
        {
            return AccessOutcome.Unauthenticated;
        }

        return (granted & required) == required ? AccessOutcome.Allowed : AccessOutcome.Forbidden;
    }

    /// <summary>
    /// Reads <c>DATA/api-token</c>, creating it with a new random token (256 bits, base64url) readable
    /// by the owner only when it does not exist. Used when no token is configured, so a first start is
    /// secure without setup.
    /// </summary>
    public static string ReadOrCreateGeneratedToken(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, GeneratedTokenFileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(token + "\n"));
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies only when the file is new; a pre-existing empty file keeps its mode otherwise.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return token;
    }

    private static byte[] Digest(ReadOnlySpan<char> token)
    {
        var utf8 = new byte[Encoding.UTF8.GetByteCount(token)];
        Encoding.UTF8.GetBytes(token, utf8);
        return SHA256.HashData(utf8);
    }
}
