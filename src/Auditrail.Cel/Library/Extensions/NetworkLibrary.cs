using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// IP addresses and CIDR ranges (Kubernetes' <c>ip</c> and <c>cidr</c> libraries, cel-go's
/// <c>ext.Network</c>): <c>ip()</c>, <c>cidr()</c>, <c>isIP</c>, <c>isCIDR</c>,
/// <c>ip.isCanonical</c>, the address predicates and the range operations.
/// </summary>
/// <remarks>
/// Zones are refused, and so are IPv4-mapped IPv6 addresses written with a dotted tail
/// (<c>::ffff:1.2.3.4</c>), which read as IPv4 but would not compare as such. The cel-spec
/// conformance suite also has <c>ip('::ffff:c0a8:1') == ip('192.168.0.1')</c>: a mapped address
/// written in hex is taken as the IPv4 address it maps (Kubernetes itself refuses both spellings).
/// </remarks>
public static class NetworkLibrary
{
    public static readonly CelType IpType = CelType.Object("net.IP");
    public static readonly CelType CidrType = CelType.Object("net.CIDR");


    public static void Register(FunctionRegistry r)
    {
        r.DeclareType(IpType);
        r.DeclareType(CidrType);

        r.Global("ip", IpType, [Str], a => ParseIp(a[0].AsString, out var ip, out var error) ? Ip(ip) : CelValue.Error(error!));
        r.Global("isIP", Bool, [Str], a => CelValue.Bool(ParseIp(a[0].AsString, out _, out _)));
        r.Global("ip.isCanonical", Bool, [Str], a => ParseIp(a[0].AsString, out var ip, out var error) ? CelValue.Bool(ip.ToString() == a[0].AsString) : CelValue.Error(error!));
        r.Global("string", Str, [IpType], a => CelValue.String(AsIp(a[0]).ToString()));
        r.Member("family", Int, [IpType], a => CelValue.Int(AsIp(a[0]).IsV4 ? 4 : 6));
        IpPredicate(r, "isUnspecified", ip => ip.IsUnspecified);
        IpPredicate(r, "isLoopback", ip => ip.IsLoopback);
        IpPredicate(r, "isGlobalUnicast", ip => ip.IsGlobalUnicast);
        IpPredicate(r, "isLinkLocalMulticast", ip => ip.IsLinkLocalMulticast);
        IpPredicate(r, "isLinkLocalUnicast", ip => ip.IsLinkLocalUnicast);

        r.Global("cidr", CidrType, [Str], a => ParseCidr(a[0].AsString, out var cidr, out var error) ? Cidr(cidr) : CelValue.Error(error!));
        r.Global("isCIDR", Bool, [Str], a => CelValue.Bool(ParseCidr(a[0].AsString, out _, out _)));
        r.Global("string", Str, [CidrType], a => CelValue.String(AsCidr(a[0]).ToString()));
        r.Member("containsIP", Bool, [CidrType, IpType], a => CelValue.Bool(AsCidr(a[0]).Contains(AsIp(a[1]))));
        r.Member("containsIP", Bool, [CidrType, Str], a => ParseIp(a[1].AsString, out var ip, out var error) ? CelValue.Bool(AsCidr(a[0]).Contains(ip)) : CelValue.Error(error!));
        r.Member("containsCIDR", Bool, [CidrType, CidrType], a => CelValue.Bool(AsCidr(a[0]).Contains(AsCidr(a[1]))));
        r.Member("containsCIDR", Bool, [CidrType, Str], a => ParseCidr(a[1].AsString, out var cidr, out var error) ? CelValue.Bool(AsCidr(a[0]).Contains(cidr)) : CelValue.Error(error!));
        r.Member("ip", IpType, [CidrType], a => Ip(AsCidr(a[0]).Address));
        r.Member("masked", CidrType, [CidrType], a => Cidr(AsCidr(a[0]).Masked()));
        r.Member("prefixLength", Int, [CidrType], a => CelValue.Int(AsCidr(a[0]).Length));
    }

    private static CelValue Ip(NetAddress ip) => CelValue.Object(new CelObject(IpType, ip));

    private static CelValue Cidr(NetPrefix cidr) => CelValue.Object(new CelObject(CidrType, cidr));

    private static NetAddress AsIp(CelValue value) => (NetAddress)value.AsObject.Value!;

    private static NetPrefix AsCidr(CelValue value) => (NetPrefix)value.AsObject.Value!;

    private static void IpPredicate(FunctionRegistry r, string name, Func<NetAddress, bool> test) =>
        r.Member(name, Bool, [IpType], a => CelValue.Bool(test(AsIp(a[0]))));

    private static bool ParseIp(string text, out NetAddress ip, out string? error)
    {
        ip = default;
        error = null;
        if (!NetAddress.TryParse(text, out var parsed, out var reason))
        {
            error = $"IP Address '{text}' parse error during conversion from string: {reason}";
            return false;
        }

        if (parsed.HasZone)
        {
            error = $"IP Address with zone value is not allowed: '{text}'";
            return false;
        }

        if (parsed.IsMapped && parsed.WrittenDotted)
        {
            error = $"IPv4-mapped IPv6 address is not allowed: '{text}'";
            return false;
        }

        ip = parsed.IsMapped ? parsed.Address.Unmap() : parsed.Address;
        return true;
    }

    /// <summary>Go's <c>netip.ParsePrefix</c> rules: one '/', a prefix length in range without leading zeros or sign.</summary>
    private static bool ParseCidr(string text, out NetPrefix cidr, out string? error)
    {
        cidr = default;
        var slash = text.LastIndexOf('/');
        if (slash < 0)
        {
            return ParseError(text, "no '/'", out error);
        }

        if (!NetAddress.TryParse(text[..slash], out var parsed, out var addressError))
        {
            return ParseError(text, addressError, out error);
        }

        if (parsed.HasZone)
        {
            error = $"CIDR with zone value is not allowed: '{text}'";
            return false;
        }

        var bits = text[(slash + 1)..];
        if (bits.Length is 0 or > 3 || !bits.All(char.IsAsciiDigit) || (bits.Length > 1 && bits[0] == '0'))
        {
            return ParseError(text, $"bad bits after slash: \"{bits}\"", out error);
        }

        var length = int.Parse(bits, System.Globalization.CultureInfo.InvariantCulture);
        if (length > parsed.Address.BitLength)
        {
            return ParseError(text, "prefix length out of range", out error);
        }

        // A mapped range has no IPv4 reading for prefixes shorter than 96 bits, so both spellings are refused.
        if (parsed.IsMapped)
        {
            error = $"IPv4-mapped IPv6 address is not allowed: '{text}'";
            return false;
        }

        cidr = new NetPrefix(parsed.Address, length);
        error = null;
        return true;
    }

    private static bool ParseError(string text, string reason, out string? error)
    {
        error = $"network address parse error during conversion from string: CIDR '{text}': {reason}";
        return false;
    }
}
