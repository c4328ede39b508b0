using System.Text.Json;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Tests.PodSecurity.Support;

/// <summary>Namespaces held in memory, as the server's informer or the CLI's manifests would supply them.</summary>
internal sealed class InMemoryNamespaces : INamespaceSource
{
    private readonly Dictionary<string, JsonElement> _namespaces = new(StringComparer.Ordinal);

    /// <summary>Adds a namespace with the given labels.</summary>
    public InMemoryNamespaces With(string name, params (string Key, string Value)[] labels)
    {
        var labelObject = labels.ToDictionary(label => label.Key, label => label.Value);
        _namespaces[name] = Json.From(new { apiVersion = "v1", kind = "Namespace", metadata = new { name, labels = labelObject } });
        return this;
    }

    public JsonElement? FindNamespace(string name) => _namespaces.TryGetValue(name, out var ns) ? ns : null;
}

internal static class Json
{
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static JsonElement From(object value) => JsonSerializer.SerializeToElement(value);
}

/// <summary>Builds admission requests the way the server decodes them from an AdmissionReview.</summary>
internal static class Requests
{
    public static readonly GroupVersionResource Pods = new("", "v1", "pods");

    public static AdmissionRequest For(
        GroupVersionResource resource,
        string kind,
        JsonElement? obj,
        string ns = "team-a",
        AdmissionOperation operation = AdmissionOperation.Create,
        JsonElement? oldObject = null,
        string? subResource = null,
        string user = "alice") => new()
        {
            Uid = "0b7f3f7e-0000-4000-8000-000000000001",
            Kind = new GroupVersionKind(resource.Group, resource.Version, kind),
            Resource = resource,
            SubResource = subResource,
            Name = "x",
            Namespace = ns,
            Operation = operation,
            UserInfo = new AdmissionUserInfo(user, ["system:authenticated"]),
            Object = obj,
            OldObject = oldObject,
        };

    public static AdmissionRequest Pod(JsonElement pod, string ns = "team-a", AdmissionOperation operation = AdmissionOperation.Create,
        JsonElement? oldPod = null, string? subResource = null, string user = "alice") =>
        For(Pods, "Pod", pod, ns, operation, oldPod, subResource, user);
}

/// <summary>Pods to check: one that passes restricted, and variations of it.</summary>
internal static class Pods
{
    /// <summary>A pod that meets restricted at every version.</summary>
    public const string Restricted = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","annotations":{"team":"a"}},
         "spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
                 "containers":[{"name":"app","image":"nginx:1.27",
                                "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}
        """;

    /// <summary>A pod that fails baseline (privileged, hostNetwork) and restricted.</summary>
    public const string Privileged = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug"},
         "spec":{"hostNetwork":true,"containers":[{"name":"shell","image":"busybox","securityContext":{"privileged":true}}]}}
        """;

    /// <summary>A pod that passes baseline but not restricted (nothing hardened).</summary>
    public const string Plain = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"plain"},"spec":{"containers":[{"name":"app","image":"nginx"}]}}
        """;

    public static JsonElement Parse(string pod) => Json.Parse(pod);
}
