using System.Text.Json;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Manifests;

/// <summary>Turns a manifest into the admission request the apiserver would send when it is created.</summary>
public static class ManifestRequests
{
    /// <summary>Who offline checks act as when nobody is named: an ordinary authenticated user.</summary>
    public static readonly AdmissionUserInfo DefaultUser = new("auditrail-check", ["system:authenticated"]);

    /// <summary>
    /// A CREATE of the object by <paramref name="user"/>. A namespaced object without a namespace goes
    /// to <c>default</c>, as <c>kubectl apply</c> with the default context would put it.
    /// </summary>
    public static AdmissionRequest Create(Manifest manifest, AdmissionUserInfo? user = null)
    {
        var (group, version) = KindResources.SplitApiVersion(manifest.ApiVersion);
        var clusterScoped = KindResources.IsClusterScoped(manifest.Kind);
        return new AdmissionRequest
        {
            Uid = $"{manifest.Source}#{manifest.DocumentIndex}@{manifest.Line}",
            Kind = new GroupVersionKind(group, version, manifest.Kind),
            Resource = new GroupVersionResource(group, version, KindResources.Resource(manifest.Kind)),
            Name = manifest.Name,
            Namespace = clusterScoped ? null : manifest.Namespace ?? "default",
            Operation = AdmissionOperation.Create,
            UserInfo = user ?? DefaultUser,
            Object = manifest.Object,
        };
    }
}

/// <summary>Namespaces known from manifests (<c>--namespaces</c> files, and Namespace objects among the inputs).</summary>
public sealed class NamespaceCatalog : INamespaceSource
{
    private readonly Dictionary<string, JsonElement> _namespaces = new(StringComparer.Ordinal);

    public int Count => _namespaces.Count;

    /// <summary>Adds the Namespace objects among <paramref name="manifests"/>; a later one with the same name replaces an earlier one.</summary>
    public void AddRange(IEnumerable<Manifest> manifests)
    {
        foreach (var manifest in manifests)
        {
            if (manifest is { Kind: "Namespace", ApiVersion: "v1", Name: { } name })
            {
                _namespaces[name] = manifest.Object;
            }
        }
    }

    public JsonElement? FindNamespace(string name) => _namespaces.TryGetValue(name, out var ns) ? ns : null;
}
