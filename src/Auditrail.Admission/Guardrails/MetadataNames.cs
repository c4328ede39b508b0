namespace Auditrail.Admission.Guardrails;

/// <summary>Kubernetes' syntax for label keys and values (apimachinery's IsQualifiedName and IsValidLabelValue).</summary>
internal static class MetadataNames
{
    /// <summary><c>[prefix/]name</c>: a DNS subdomain prefix of at most 253 characters, a name of at most 63.</summary>
    public static bool IsQualifiedName(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length is 0 or > 253 || !prefix.Split('.').All(IsDnsLabel))
            {
                return false;
            }
        }

        return name.Length is > 0 and <= 63 && IsNamePart(name);
    }

    /// <summary>Empty, or at most 63 characters of alphanumerics, '-', '_' and '.', starting and ending alphanumeric.</summary>
    public static bool IsLabelValue(string value) => value.Length == 0 || (value.Length <= 63 && IsNamePart(value));

    private static bool IsNamePart(string text) =>
        char.IsAsciiLetterOrDigit(text[0]) && char.IsAsciiLetterOrDigit(text[^1])
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsDnsLabel(string label) =>
        label.Length is > 0 and <= 63 && char.IsAsciiLetterLower(label[0]) | char.IsAsciiDigit(label[0])
        && char.IsAsciiLetterLower(label[^1]) | char.IsAsciiDigit(label[^1])
        && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
