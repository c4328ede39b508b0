using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Auditrail.Server.Hosting;

/// <summary>
/// Where the server listens: an IP address and port (<c>127.0.0.1:8443</c>, <c>[::]:8443</c>,
/// <c>0.0.0.0:8443</c>) or <c>localhost:PORT</c>, which binds both loopback addresses. Host names other
/// than localhost are refused: a listener binds addresses, and resolving a name at start would bind
/// whatever DNS says that day.
/// </summary>
public sealed record ListenAddress(IPAddress? Address, int Port)
{
    /// <summary>The default: loopback only, so an unconfigured server is never reachable from the network.</summary>
    public static ListenAddress Default { get; } = new(IPAddress.Loopback, 8443);

    /// <summary>True for <c>localhost</c>, bound on both IPv4 and IPv6 loopback.</summary>
    public bool IsLocalhost => Address is null;

    public static bool TryParse(string text, [NotNullWhen(true)] out ListenAddress? address, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is not HOST:PORT (for example 127.0.0.1:8443, [::1]:8443 or 0.0.0.0:8443)";
            return false;
        }

        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"'{portText}' in '{text}' is not a port number (0-65535)";
            return false;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            if (port == 0)
            {
                error = "localhost:0 cannot pick a free port on both loopback addresses; use 127.0.0.1:0";
                return false;
            }

            address = new ListenAddress(null, port);
            error = null;
            return true;
        }

        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        var ipText = bracketed ? host[1..^1] : host;
        if (!IPAddress.TryParse(ipText, out var ip) || (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !bracketed))
        {
            error = $"'{host}' in '{text}' is not an IP address or localhost (write IPv6 addresses in brackets: [::1]:8443)";
            return false;
        }

        address = new ListenAddress(ip, port);
        error = null;
        return true;
    }

    public override string ToString() => Address switch
    {
        null => $"localhost:{Port.ToString(CultureInfo.InvariantCulture)}",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 => $"[{v6}]:{Port.ToString(CultureInfo.InvariantCulture)}",
        var v4 => $"{v4}:{Port.ToString(CultureInfo.InvariantCulture)}",
    };
}
