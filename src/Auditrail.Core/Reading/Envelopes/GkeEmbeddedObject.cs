using System.Text.Json;

namespace Auditrail.Core.Reading.Envelopes;

/// <summary>
/// Copies <c>protoPayload.request</c>/<c>response</c> into an Event's <c>requestObject</c>/<c>responseObject</c>.
/// </summary>
/// <remarks>
/// GKE stores each body as a protobuf Struct and adds an <c>@type</c> key naming its Kubernetes type, e.g.
/// <c>core.k8s.io/v1.Pod</c>, <c>apps.k8s.io/v1.Deployment</c>, <c>rbac.authorization.k8s.io/v1.ClusterRoleBinding</c>,
/// or <c>k8s.io/Patch</c> for a patch body. The key is GKE's, not the object's, so it is dropped; when the body
/// lacks <c>kind</c>/<c>apiVersion</c> (clients often omit them, e.g. DeleteOptions) they are restored from it.
/// A patch keeps no kind: kube-apiserver logs the raw patch, which has none.
/// </remarks>
internal static class GkeEmbeddedObject
{
    private const string TypeKey = "@type";

    // GKE qualifies the built-in groups whose names have no dot with ".k8s.io" ("apps" is written apps.k8s.io,
    // the core group core.k8s.io). Every other group (rbac.authorization.k8s.io, cert-manager.io) is written as is.
    private static readonly HashSet<string> _dotlessGroups = new(StringComparer.Ordinal)
    {
        "core.k8s.io", "apps.k8s.io", "batch.k8s.io", "autoscaling.k8s.io", "policy.k8s.io", "extensions.k8s.io",
    };

    public static void Write(JsonElement body, Utf8JsonWriter writer)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            body.WriteTo(writer);
            return;
        }

        string? kind = null;
        string? apiVersion = null;
        if (body.TryGetProperty(TypeKey, out var type) && type.ValueKind == JsonValueKind.String)
        {
            TryParseType(type.GetString()!, out apiVersion, out kind);
        }

        writer.WriteStartObject();
        if (kind is not null && !body.TryGetProperty("kind", out _))
        {
            writer.WriteString("kind", kind);
        }

        if (apiVersion is not null && !body.TryGetProperty("apiVersion", out _))
        {
            writer.WriteString("apiVersion", apiVersion);
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!property.NameEquals(TypeKey))
            {
                property.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>True when the body is a <c>metav1.Status</c>, the answer to a failed request or a delete.</summary>
    public static bool IsStatus(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (body.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String)
        {
            return kind.ValueEquals("Status");
        }

        return body.TryGetProperty(TypeKey, out var type) && type.ValueKind == JsonValueKind.String
            && TryParseType(type.GetString()!, out _, out var typeKind) && typeKind == "Status";
    }

    /// <summary>Splits <c>&lt;group&gt;/&lt;version&gt;.&lt;Kind&gt;</c>; false for anything else, such as <c>k8s.io/Patch</c>.</summary>
    internal static bool TryParseType(string type, out string? apiVersion, out string? kind)
    {
        apiVersion = null;
        kind = null;
        var slash = type.LastIndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var versionAndKind = type.AsSpan(slash + 1);
        var dot = versionAndKind.IndexOf('.');
        if (dot <= 0 || dot == versionAndKind.Length - 1)
        {
            return false;
        }

        var version = versionAndKind[..dot].ToString();
        if (!GkeOperation.IsKubernetesVersion(version))
        {
            return false;
        }

        var group = type[..slash];
        if (_dotlessGroups.Contains(group))
        {
            group = group[..^".k8s.io".Length];
        }

        apiVersion = group == "core" ? version : group + "/" + version;
        kind = versionAndKind[(dot + 1)..].ToString();
        return true;
    }
}
