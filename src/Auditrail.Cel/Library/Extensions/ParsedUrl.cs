using System.Text;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// A URL split the way Go's <c>net/url</c> splits it, since Kubernetes' <c>url()</c> is that parser:
/// the same accepted inputs, the same components, the same escaping of the path. A record, so two
/// URLs are equal when every component is, as Go's <c>reflect.DeepEqual</c> compares them.
/// </summary>
internal sealed record ParsedUrl(
    string Scheme,
    string Opaque,
    string? User,
    string Host,
    string Path,
    string RawPath,
    bool ForceQuery,
    string RawQuery,
    string Fragment)
{
    private enum Mode
    {
        Path,
        Host,
        Zone,
        UserPassword,
        QueryComponent,
        Fragment,
    }

    /// <summary>Go's <c>url.ParseRequestURI</c>: an absolute URI or an absolute path, no fragment splitting.</summary>
    public static bool TryParseRequestUri(string raw, out string? error) => TryParse(raw, viaRequest: true, out _, out error);

    /// <summary>Go's <c>url.Parse</c>: the fragment is cut off first, relative references are allowed.</summary>
    public static bool TryParseReference(string raw, out ParsedUrl? url, out string? error)
    {
        var hash = raw.IndexOf('#', StringComparison.Ordinal);
        var body = hash < 0 ? raw : raw[..hash];
        if (!TryParse(body, viaRequest: false, out url, out error))
        {
            return false;
        }

        if (hash < 0)
        {
            return true;
        }

        if (!TryUnescape(raw[(hash + 1)..], Mode.Fragment, out var fragment, out var fragmentError))
        {
            url = null;
            error = $"parse \"{raw}\": {fragmentError}";
            return false;
        }

        url = url! with { Fragment = fragment };
        return true;
    }

    private static bool TryParse(string raw, bool viaRequest, out ParsedUrl? url, out string? error)
    {
        url = null;
        var reason = Parse(raw, viaRequest, out url);
        error = reason is null ? null : $"parse \"{raw}\": {reason}";
        return reason is null;
    }

    /// <summary>Parses, returning Go's error text, or null with the URL.</summary>
    private static string? Parse(string raw, bool viaRequest, out ParsedUrl? url)
    {
        url = null;
        if (raw.Any(c => c < 0x20 || c == 0x7f))
        {
            return "net/url: invalid control character in URL";
        }

        if (raw.Length == 0 && viaRequest)
        {
            return "empty url";
        }

        if (raw == "*")
        {
            url = new ParsedUrl(string.Empty, string.Empty, null, string.Empty, "*", string.Empty, false, string.Empty, string.Empty);
            return null;
        }

        var schemeError = SplitScheme(raw, out var scheme, out var rest);
        if (schemeError is not null)
        {
            return schemeError;
        }

        scheme = scheme.ToLowerInvariant();
        var forceQuery = false;
        var rawQuery = string.Empty;
        if (rest.EndsWith('?') && rest.Count(c => c == '?') == 1)
        {
            forceQuery = true;
            rest = rest[..^1];
        }
        else if (rest.IndexOf('?', StringComparison.Ordinal) is var q and >= 0)
        {
            rawQuery = rest[(q + 1)..];
            rest = rest[..q];
        }

        if (!rest.StartsWith('/'))
        {
            if (scheme.Length > 0)
            {
                // Rootless paths (mailto:someone) are opaque, per RFC 3986.
                url = new ParsedUrl(scheme, rest, null, string.Empty, string.Empty, string.Empty, forceQuery, rawQuery, string.Empty);
                return null;
            }

            if (viaRequest)
            {
                return "invalid URI for request";
            }

            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if ((slash < 0 ? rest : rest[..slash]).Contains(':', StringComparison.Ordinal))
            {
                return "first path segment in URL cannot contain colon";
            }
        }

        string? user = null;
        var host = string.Empty;
        if ((scheme.Length > 0 || (!viaRequest && !rest.StartsWith("///", StringComparison.Ordinal))) && rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authority = rest[2..];
            rest = string.Empty;
            if (authority.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0)
            {
                rest = authority[slash..];
                authority = authority[..slash];
            }

            var authorityError = ParseAuthority(authority, out user, out host);
            if (authorityError is not null)
            {
                return authorityError;
            }
        }

        if (!TryUnescape(rest, Mode.Path, out var path, out var pathError))
        {
            return pathError;
        }

        // RawPath keeps the original spelling only where escaping the decoded path would not give it back.
        var rawPath = Escape(path, Mode.Path) == rest ? string.Empty : rest;
        url = new ParsedUrl(scheme, string.Empty, user, host, path, rawPath, forceQuery, rawQuery, string.Empty);
        return null;
    }

    private static string? SplitScheme(string raw, out string scheme, out string rest)
    {
        scheme = string.Empty;
        rest = raw;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (char.IsAsciiLetter(c))
            {
                continue;
            }

            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0)
                {
                    return null;
                }

                continue;
            }

            if (c == ':')
            {
                if (i == 0)
                {
                    return "missing protocol scheme";
                }

                scheme = raw[..i];
                rest = raw[(i + 1)..];
            }

            return null;
        }

        return null;
    }

    private static string? ParseAuthority(string authority, out string? user, out string host)
    {
        user = null;
        var at = authority.LastIndexOf('@');
        var hostError = ParseHost(at < 0 ? authority : authority[(at + 1)..], out host);
        if (hostError is not null || at < 0)
        {
            return hostError;
        }

        var userInfo = authority[..at];
        if (!userInfo.All(c => char.IsAsciiLetterOrDigit(c) || "-._:~!$&'()*+,;=%@".Contains(c, StringComparison.Ordinal)))
        {
            return "net/url: invalid userinfo";
        }

        // The password is kept only as part of equality; no function exposes it.
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (!TryUnescape(colon < 0 ? userInfo : userInfo[..colon], Mode.UserPassword, out var name, out var error))
        {
            return error;
        }

        var password = string.Empty;
        if (colon >= 0 && !TryUnescape(userInfo[(colon + 1)..], Mode.UserPassword, out password, out error))
        {
            return error;
        }

        user = colon < 0 ? name : $"{name}:{password}";
        return null;
    }

    private static string? ParseHost(string host, out string parsed)
    {
        parsed = string.Empty;
        if (host.StartsWith('['))
        {
            var close = host.LastIndexOf(']');
            if (close < 0)
            {
                return "missing ']' in host";
            }

            var colonPort = host[(close + 1)..];
            if (!IsValidOptionalPort(colonPort))
            {
                return $"invalid port \"{colonPort}\" after host";
            }

            // An IPv6 zone ("%25eth0") is escaped by its own rules.
            var zone = host[..close].IndexOf("%25", StringComparison.Ordinal);
            if (zone >= 0)
            {
                if (!TryUnescape(host[..zone], Mode.Host, out var before, out var error)
                    || !TryUnescape(host[zone..close], Mode.Zone, out var zoneText, out error)
                    || !TryUnescape(host[close..], Mode.Host, out var after, out error))
                {
                    return error;
                }

                parsed = before + zoneText + after;
                return null;
            }
        }
        else if (host.LastIndexOf(':') is var colon and >= 0 && !IsValidOptionalPort(host[colon..]))
        {
            return $"invalid port \"{host[colon..]}\" after host";
        }

        return TryUnescape(host, Mode.Host, out parsed, out var hostError) ? null : hostError;
    }

    private static bool IsValidOptionalPort(string port) =>
        port.Length == 0 || (port[0] == ':' && port.Skip(1).All(char.IsAsciiDigit));

    /// <summary>Go's <c>shouldEscape</c>: whether a byte must be percent-encoded in this part of a URL.</summary>
    private static bool ShouldEscape(int c, Mode mode)
    {
        if (c < 0x80 && char.IsAsciiLetterOrDigit((char)c))
        {
            return false;
        }

        if (mode is Mode.Host or Mode.Zone && c is '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '[' or ']' or '<' or '>' or '"')
        {
            return false;
        }

        switch (c)
        {
            case '-' or '_' or '.' or '~':
                return false;
            case '$' or '&' or '+' or ',' or '/' or ':' or ';' or '=' or '?' or '@':
                return mode switch
                {
                    Mode.Path => c == '?',
                    Mode.UserPassword => c is '@' or '/' or '?' or ':',
                    Mode.QueryComponent => true,
                    Mode.Fragment => false,
                    _ => true,
                };
        }

        return mode != Mode.Fragment || c is not ('!' or '(' or ')' or '*');
    }

    /// <summary>Go's <c>unescape</c>: decodes %XX (and '+' in query components), with its errors for bad escapes and host characters.</summary>
    private static bool TryUnescape(string text, Mode mode, out string decoded, out string? error)
    {
        decoded = text;
        error = null;
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    error = $"invalid URL escape \"{text[i..Math.Min(text.Length, i + 3)]}\"";
                    return false;
                }

                var value = Convert.ToByte(text.Substring(i + 1, 2), 16);

                // In a host only non-ASCII bytes may be percent-encoded (RFC 3986 §3.2.2); "%25" introduces a zone.
                if (mode == Mode.Host && value < 0x80 && text.Substring(i, 3) != "%25")
                {
                    error = $"invalid URL escape \"{text.Substring(i, 3)}\"";
                    return false;
                }

                bytes.Add(value);
                i += 2;
            }
            else if (c == '+' && mode == Mode.QueryComponent)
            {
                bytes.Add((byte)' ');
            }
            else
            {
                if (mode is Mode.Host or Mode.Zone && c < 0x80 && ShouldEscape(c, mode))
                {
                    error = $"invalid character \"{c}\" in host name";
                    return false;
                }

                bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i, char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1)));
                if (char.IsHighSurrogate(c) && i + 1 < text.Length)
                {
                    i++;
                }
            }
        }

        decoded = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    private static string Escape(string text, Mode mode)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (ShouldEscape(b, mode))
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append((char)b);
            }
        }

        return builder.ToString();
    }

    /// <summary>The host without its port, and without brackets around an IPv6 address.</summary>
    public string Hostname => SplitHostPort().Host;

    public string Port => SplitHostPort().Port;

    private (string Host, string Port) SplitHostPort()
    {
        var host = Host;
        var port = string.Empty;
        var colon = host.LastIndexOf(':');
        if (colon >= 0 && IsValidOptionalPort(host[colon..]))
        {
            port = host[(colon + 1)..];
            host = host[..colon];
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return (host, port);
    }

    /// <summary>Go's <c>EscapedPath</c>: the path as written when that is a valid encoding of it, else the path escaped.</summary>
    public string EscapedPath
    {
        get
        {
            if (RawPath.Length > 0 && IsValidEncoded(RawPath) && TryUnescape(RawPath, Mode.Path, out var decoded, out _) && decoded == Path)
            {
                return RawPath;
            }

            return Path == "*" ? "*" : Escape(Path, Mode.Path);
        }
    }

    private static bool IsValidEncoded(string text) =>
        text.All(c => c is '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@' or '[' or ']' or '%' || !ShouldEscape(c, Mode.Path));

    /// <summary>
    /// Go's <c>Query()</c>: pairs split on '&amp;', then on the first '='; pairs with a ';' or a bad
    /// escape are dropped, and a repeated key collects its values in order.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, List<string>>> Query()
    {
        var result = new List<KeyValuePair<string, List<string>>>();
        foreach (var pair in RawQuery.Split('&'))
        {
            if (pair.Length == 0 || pair.Contains(';', StringComparison.Ordinal))
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (!TryUnescape(equals < 0 ? pair : pair[..equals], Mode.QueryComponent, out var key, out _)
                || !TryUnescape(equals < 0 ? string.Empty : pair[(equals + 1)..], Mode.QueryComponent, out var value, out _))
            {
                continue;
            }

            var existing = result.FindIndex(e => e.Key == key);
            if (existing < 0)
            {
                result.Add(KeyValuePair.Create(key, new List<string> { value }));
            }
            else
            {
                result[existing].Value.Add(value);
            }
        }

        return result;
    }

    /// <summary>The URL written back out, without its user information (a password must not reach a log).</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        if (Scheme.Length > 0)
        {
            builder.Append(Scheme).Append(':');
        }

        if (Opaque.Length > 0)
        {
            builder.Append(Opaque);
        }
        else
        {
            if (Scheme.Length > 0 || Host.Length > 0)
            {
                builder.Append("//").Append(Host);
            }

            builder.Append(EscapedPath);
        }

        if (ForceQuery || RawQuery.Length > 0)
        {
            builder.Append('?').Append(RawQuery);
        }

        if (Fragment.Length > 0)
        {
            builder.Append('#').Append(Escape(Fragment, Mode.Fragment));
        }

        return builder.ToString();
    }
}
