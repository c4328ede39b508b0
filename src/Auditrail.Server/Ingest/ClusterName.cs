namespace Auditrail.Server.Ingest;

/// <summary>
/// Cluster names as they appear in paths and annotations: a DNS-1123 subdomain (lowercase letters,
/// digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters), the shape
/// Kubernetes uses for names, so it is safe in a URL, a label value prefix, a file name or a query.
/// </summary>
public static class ClusterName
{
    public const int MaxLength = 253;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || !IsAlphanumeric(name[0]) || !IsAlphanumeric(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsAlphanumeric(c) && c != '-' && c != '.')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
