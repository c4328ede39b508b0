using System.Text.Json;

namespace Auditrail.Core.Redaction;

/// <summary>What the <c>value</c> of a JSON Patch (RFC 6902) operation on a Secret replaces.</summary>
internal enum SecretPatchTarget
{
    /// <summary>Not a patch operation, or one whose value is walked like any other Secret field.</summary>
    None,

    /// <summary>Path "" (or "/", as some clients write it): the value is a whole Secret.</summary>
    Document,

    /// <summary>Path /data or /stringData: the value is the key → secret map.</summary>
    DataMap,

    /// <summary>A path below data or stringData, or the last-applied annotation: the value is one secret.</summary>
    SecretValue,
}

internal static class SecretPatchTargets
{
    private const string LastAppliedPointer = "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration";

    /// <summary>
    /// Classifies a JSON object as a patch operation by its <c>path</c>. Duplicated <c>path</c> members all count and
    /// the most sensitive wins, because different JSON parsers keep different duplicates.
    /// </summary>
    public static SecretPatchTarget Classify(JsonElement operation)
    {
        var target = SecretPatchTarget.None;
        foreach (var member in operation.EnumerateObject())
        {
            if (member.NameEquals("path") && member.Value.ValueKind == JsonValueKind.String)
            {
                var classified = ClassifyPointer(member.Value.GetString()!);
                target = classified > target ? classified : target;
            }
        }

        return target;
    }

    private static SecretPatchTarget ClassifyPointer(string pointer)
    {
        if (pointer is "" or "/")
        {
            return SecretPatchTarget.Document;
        }

        if (CredentialText.EqualsAsciiIgnoreCase(pointer, LastAppliedPointer))
        {
            return SecretPatchTarget.SecretValue;
        }

        // JSON Pointer escapes (~0, ~1) cannot produce letters, so the first segment can be compared as written.
        // A pointer without its leading '/' is invalid and the server rejects it; read it leniently all the same.
        var relative = pointer.StartsWith('/') ? pointer[1..] : pointer;
        var segmentEnd = relative.IndexOf('/', StringComparison.Ordinal);
        var first = segmentEnd < 0 ? relative : relative[..segmentEnd];
        if (RedactingWriter.IsSecretMapName(first))
        {
            return segmentEnd < 0 ? SecretPatchTarget.DataMap : SecretPatchTarget.SecretValue;
        }

        // "/data…" or "/stringData…" that is not exactly those fields names nothing a Secret has; treating it as a
        // secret costs nothing and follows the plain reading of "a path starting with /data".
        return StartsWithAsciiIgnoreCase(relative, "data") || StartsWithAsciiIgnoreCase(relative, "stringData")
            ? SecretPatchTarget.SecretValue
            : SecretPatchTarget.None;
    }

    private static bool StartsWithAsciiIgnoreCase(string text, string prefix) =>
        text.Length >= prefix.Length && CredentialText.EqualsAsciiIgnoreCase(text[..prefix.Length], prefix);
}
