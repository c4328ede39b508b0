using System.Text.RegularExpressions;

namespace Auditrail.Detection.Responses;

/// <summary>
/// The apiserver's rules for label and annotation keys and label values (apimachinery validation:
/// IsQualifiedName, IsValidLabelValue), checked before a call so a dry run does not promise a patch the
/// apiserver would refuse.
/// </summary>
public static partial class MetadataKeys
{
    /// <summary>A name part or label value: up to 63 characters, alphanumeric at both ends, '-', '_', '.' inside.</summary>
    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedPart();

    /// <summary>A key prefix: a DNS-1123 subdomain, lower case, up to 253 characters.</summary>
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();

    /// <summary>Why <paramref name="key"/> = <paramref name="value"/> cannot be set, or null when it can.</summary>
    public static string? Problem(ResponseActionKind kind, string key, string value)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (prefix, name) = slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
        if (!QualifiedPart().IsMatch(name))
        {
            return $"key '{key}': the name part must be 1-63 characters, alphanumeric at both ends, with '-', '_' or '.' inside";
        }

        if (prefix is not null && (prefix.Length > 253 || !DnsSubdomain().IsMatch(prefix)))
        {
            return $"key '{key}': the prefix must be a lower-case DNS subdomain of at most 253 characters";
        }

        // Annotation values are free text (the 256 KiB total is the apiserver's business); label values are not.
        if (kind == ResponseActionKind.Label && value.Length > 0 && !QualifiedPart().IsMatch(value))
        {
            return $"label '{key}': the value '{value}' must be empty or 1-63 characters, alphanumeric at both ends, with '-', '_' or '.' inside";
        }

        return null;
    }
}
