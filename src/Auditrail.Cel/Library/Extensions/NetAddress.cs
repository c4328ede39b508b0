using System.Globalization;
using System.Text;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// An IPv4 or IPv6 address, parsed as strictly as Go's <c>netip.ParseAddr</c> (no leading zeros in
/// IPv4 fields, no shorthand forms like <c>127.1</c> that <see cref="System.Net.IPAddress"/> accepts),
/// and printed in RFC 5952 canonical form. IPv4 addresses sit in the low 32 bits.
/// </summary>
internal readonly record struct NetAddress(UInt128 Bits, bool IsV4)
{
    public int BitLength => IsV4 ? 32 : 128;

    /// <summary>The result of parsing: the address, whether it had a zone, whether it was IPv4-mapped IPv6 and how it was written.</summary>
    public readonly record struct Parsed(NetAddress Address, bool HasZone, bool IsMapped, bool WrittenDotted);

    public static bool TryParse(string text, out Parsed parsed, out string error)
    {
        parsed = default;
        foreach (var c in text)
        {
            switch (c)
            {
                case '.':
                    if (TryParseV4(text, out var v4, out error))
                    {
                        parsed = new Parsed(new NetAddress(v4, true), false, false, false);
                        return true;
                    }

                    return false;
                case ':':
                    return TryParseV6(text, out parsed, out error);
                case '%':
                    error = "missing IPv6 address";
                    return false;
            }
        }

        error = "unable to parse IP";
        return false;
    }

    private static bool TryParseV4(string text, out UInt128 bits, out string error)
    {
        bits = 0;
        error = string.Empty;
        var fields = text.Split('.');
        if (fields.Length != 4)
        {
            error = fields.Length < 4 ? "IPv4 address too short" : "IPv4 address too long";
            return false;
        }

        foreach (var field in fields)
        {
            if (field.Length == 0)
            {
                error = "IPv4 field must have at least one digit";
                return false;
            }

            if (!field.All(char.IsAsciiDigit))
            {
                error = "unexpected character";
                return false;
            }

            if (field.Length > 1 && field[0] == '0')
            {
                error = "IPv4 field has octet with leading zero";
                return false;
            }

            if (field.Length > 3 || int.Parse(field, CultureInfo.InvariantCulture) > 255)
            {
                error = "IPv4 field has value >255";
                return false;
            }

            bits = (bits << 8) | uint.Parse(field, CultureInfo.InvariantCulture);
        }

        return true;
    }

    private static bool TryParseV6(string text, out Parsed parsed, out string error)
    {
        parsed = default;
        error = string.Empty;
        var hasZone = false;
        var percent = text.IndexOf('%', StringComparison.Ordinal);
        if (percent >= 0)
        {
            if (percent == text.Length - 1)
            {
                error = "zone must be a non-empty string";
                return false;
            }

            hasZone = true;
            text = text[..percent];
        }

        var doubleColon = text.IndexOf("::", StringComparison.Ordinal);
        if (doubleColon >= 0 && text.IndexOf("::", doubleColon + 1, StringComparison.Ordinal) >= 0)
        {
            error = "multiple :: in address";
            return false;
        }

        var head = doubleColon < 0 ? text : text[..doubleColon];
        var tail = doubleColon < 0 ? string.Empty : text[(doubleColon + 2)..];
        if (!TryParseGroups(head, out var headGroups, out var headDotted, out error)
            || !TryParseGroups(tail, out var tailGroups, out var tailDotted, out error))
        {
            return false;
        }

        if (headDotted && doubleColon >= 0)
        {
            error = "embedded IPv4 address must replace the final 2 fields of the address";
            return false;
        }

        var count = headGroups.Count + tailGroups.Count;
        if (doubleColon < 0 && count != 8)
        {
            error = count < 8 ? "address string too short" : "trailing garbage after address";
            return false;
        }

        if (doubleColon >= 0 && count > 7)
        {
            error = "the :: must expand to at least one field of zeros";
            return false;
        }

        UInt128 bits = 0;
        foreach (var group in headGroups.Concat(Enumerable.Repeat(0, 8 - count)).Concat(tailGroups))
        {
            bits = (bits << 16) | (uint)group;
        }

        var mapped = bits >> 32 == 0xFFFF;
        parsed = new Parsed(new NetAddress(bits, false), hasZone, mapped, headDotted || tailDotted);
        return true;
    }

    /// <summary>Colon-separated hex groups of 1–4 digits; a dotted IPv4 address may stand for the last two.</summary>
    private static bool TryParseGroups(string text, out List<int> groups, out bool dotted, out string error)
    {
        groups = [];
        dotted = false;
        error = string.Empty;
        if (text.Length == 0)
        {
            return true;
        }

        var parts = text.Split(':');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i == parts.Length - 1 && part.Contains('.', StringComparison.Ordinal))
            {
                if (!TryParseV4(part, out var v4, out error))
                {
                    return false;
                }

                groups.Add((int)(v4 >> 16));
                groups.Add((int)(v4 & 0xFFFF));
                dotted = true;
                return true;
            }

            if (part.Length == 0)
            {
                error = "each colon-separated field must have at least one digit";
                return false;
            }

            if (part.Length > 4)
            {
                error = "each colon-separated field must have at most 4 hex digits";
                return false;
            }

            if (!part.All(char.IsAsciiHexDigit))
            {
                error = "unexpected character, want colon";
                return false;
            }

            groups.Add(int.Parse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }

        return true;
    }

    /// <summary>The IPv4 address an IPv4-mapped IPv6 address (<c>::ffff:a.b.c.d</c>) stands for.</summary>
    public NetAddress Unmap() => new(Bits & 0xFFFFFFFF, true);

    private int Group(int i) => (int)((Bits >> (16 * (7 - i))) & 0xFFFF);

    private bool InPrefix(UInt128 prefix, int length) => (Bits >> (BitLength - length)) == (prefix >> (BitLength - length));

    public bool IsUnspecified => Bits == 0;

    public bool IsLoopback => IsV4 ? InPrefix(0x7F000000, 8) : Bits == 1;

    public bool IsMulticast => IsV4 ? InPrefix(0xE0000000, 4) : InPrefix((UInt128)0xFF << 120, 8);

    public bool IsLinkLocalUnicast => IsV4 ? InPrefix(0xA9FE0000, 16) : InPrefix((UInt128)0xFE80 << 112, 10);

    public bool IsLinkLocalMulticast => IsV4 ? InPrefix(0xE0000000, 24) : (Group(0) & 0xFF0F) == 0xFF02;

    /// <summary>Go's definition: anything but unspecified, broadcast, loopback, multicast and link-local unicast (private ranges count).</summary>
    public bool IsGlobalUnicast =>
        !IsUnspecified && !(IsV4 && Bits == 0xFFFFFFFF) && !IsLoopback && !IsMulticast && !IsLinkLocalUnicast;

    /// <summary>The address with all but the first <paramref name="length"/> bits cleared.</summary>
    public NetAddress Masked(int length) =>
        length == 0 ? this with { Bits = 0 } : this with { Bits = Bits >> (BitLength - length) << (BitLength - length) };

    /// <summary>Dotted decimal for IPv4; RFC 5952 for IPv6: lowercase, no leading zeros, the longest run of two or more zero groups as "::".</summary>
    public override string ToString()
    {
        if (IsV4)
        {
            var v4 = (uint)Bits;
            return $"{v4 >> 24}.{(v4 >> 16) & 0xFF}.{(v4 >> 8) & 0xFF}.{v4 & 0xFF}";
        }

        int zeroStart = -1, zeroEnd = -1;
        for (var i = 0; i < 8; i++)
        {
            var j = i;
            while (j < 8 && Group(j) == 0)
            {
                j++;
            }

            if (j - i >= 2 && j - i > zeroEnd - zeroStart)
            {
                zeroStart = i;
                zeroEnd = j;
            }
        }

        var builder = new StringBuilder(39);
        for (var i = 0; i < 8; i++)
        {
            if (i == zeroStart)
            {
                builder.Append("::");
                i = zeroEnd;
                if (i >= 8)
                {
                    break;
                }
            }
            else if (i > 0)
            {
                builder.Append(':');
            }

            builder.Append(Group(i).ToString("x", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}

/// <summary>A CIDR range: an address (host bits kept, as written) and a prefix length.</summary>
internal readonly record struct NetPrefix(NetAddress Address, int Length)
{
    public NetPrefix Masked() => this with { Address = Address.Masked(Length) };

    public bool Contains(NetAddress address) =>
        address.IsV4 == Address.IsV4 && address.Masked(Length) == Address.Masked(Length);

    /// <summary>Go's test as Kubernetes uses it: the ranges overlap and this one is no narrower.</summary>
    public bool Contains(NetPrefix other) => Length <= other.Length && Contains(other.Address);

    public override string ToString() => $"{Address}/{Length}";
}
