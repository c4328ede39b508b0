using System.Text;

namespace Auditrail.Core.Reading.Envelopes;

/// <summary>
/// The Kubernetes request behind a GKE audit entry, recovered from <c>protoPayload.methodName</c> and
/// <c>protoPayload.resourceName</c>, plus the request URI rebuilt from them.
/// </summary>
/// <remarks>
/// GKE exports neither the verb, the objectRef nor the request URI. It writes:
/// <list type="bullet">
/// <item><c>methodName</c> = <c>&lt;group, dot-reversed&gt;.&lt;version&gt;.&lt;resource&gt;[.&lt;subresource&gt;].&lt;verb&gt;</c>
/// (<c>io.k8s.core.v1.pods.exec.create</c>, <c>io.k8s.authorization.rbac.v1.clusterroles.create</c>,
/// <c>io.k8s.networking.gateway.v1beta1.gatewayclasses.update</c>), or just
/// <c>io.k8s.&lt;verb&gt;</c> for non-resource URLs such as <c>/readyz</c>;</item>
/// <item><c>resourceName</c> = <c>&lt;group or "core"&gt;/&lt;version&gt;/[namespaces/&lt;ns&gt;/]&lt;resource&gt;[/&lt;name&gt;[/&lt;subresource&gt;]]</c>,
/// or the bare path (<c>readyz</c>, <c>api/v1</c>) for non-resource URLs.</item>
/// </list>
/// The group in the method name is dot-reversed and cannot be turned back reliably (<c>io.k8s.apps</c> is
/// <c>apps</c>, <c>io.k8s.coordination</c> is <c>coordination.k8s.io</c>), so the group, namespace and name come
/// from the resource name, while the method name settles what the resource name leaves open: whether
/// <c>core/v1/namespaces/foo/finalize</c> is a namespace's subresource or a collection inside it, and which
/// segment is the verb.
/// </remarks>
/// <param name="Verb">The Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.</param>
/// <param name="RequestUri">The rebuilt URI, without the query parameters GKE did not keep.</param>
/// <param name="IsResourceRequest">False for non-resource URLs, which have no objectRef.</param>
/// <param name="ApiGroup">The API group, empty for the core group (objectRef.apiGroup).</param>
/// <param name="ApiVersion">The version alone, <c>v1</c> (objectRef.apiVersion, as kube-apiserver writes it).</param>
/// <param name="Namespace">Null for cluster-scoped resources and for Namespace objects themselves.</param>
/// <param name="Resource">The plural resource; empty for a non-resource request, like the group and version.</param>
/// <param name="Name">Null for collection requests (list, watch, deletecollection, create with generateName).</param>
/// <param name="Subresource">exec, status, scale, token…; null for the object itself.</param>
internal sealed record GkeOperation(
    string Verb,
    string RequestUri,
    bool IsResourceRequest,
    string ApiGroup,
    string ApiVersion,
    string? Namespace,
    string Resource,
    string? Name,
    string? Subresource)
{
    // Non-resource URLs (/readyz, /api/v1) are logged as io.k8s.<verb>.
    private const string NonResourcePrefix = "io.k8s.";

    // Connect subresources upgrade the connection (SPDY or WebSocket), so a successful one answers 101.
    private static readonly HashSet<string> _connectSubresources = new(StringComparer.Ordinal) { "exec", "attach", "portforward" };

    /// <summary>True for a request that kube-apiserver answers with 101 Switching Protocols when it succeeds.</summary>
    public bool IsConnectUpgrade => IsResourceRequest && Verb == "create" && Subresource is not null && _connectSubresources.Contains(Subresource);

    /// <summary>True for a create that kube-apiserver answers with 201 Created when it succeeds.</summary>
    public bool IsCreate => IsResourceRequest && Verb == "create" && !IsConnectUpgrade;

    public static bool TryParse(string methodName, string resourceName, out GkeOperation? operation, out string? error)
    {
        operation = null;
        var tokens = methodName.Split('.');
        if (tokens.Any(t => t.Length == 0))
        {
            error = $"$.protoPayload.methodName: '{methodName}' has an empty segment";
            return false;
        }

        var verb = tokens[^1];
        if (tokens.Length == 3 && methodName.StartsWith(NonResourcePrefix, StringComparison.Ordinal))
        {
            return TryParseNonResource(verb, resourceName, out operation, out error);
        }

        // Parse from the right: groups contain dots, versions, resources and subresources never do. The group
        // part is the API group reversed, so it only starts with io.k8s for *.k8s.io groups (and core):
        // gateway.networking.k8s.io gives io.k8s.networking.gateway, cert-manager.io gives io.cert-manager.
        var versionIndex = -1;
        for (var i = tokens.Length - 2; i >= 2; i--)
        {
            if (IsKubernetesVersion(tokens[i]))
            {
                versionIndex = i;
                break;
            }
        }

        var resourceTokens = tokens.Length - versionIndex - 2;
        if (versionIndex < 2 || resourceTokens is < 1 or > 2)
        {
            error = $"$.protoPayload.methodName: '{methodName}' is neither <group, reversed>.<version>.<resource>[.<subresource>].<verb> nor io.k8s.<verb>";
            return false;
        }

        var methodVersion = tokens[versionIndex];
        var methodResource = tokens[versionIndex + 1];
        var methodSubresource = resourceTokens == 2 ? tokens[versionIndex + 2] : null;
        return TryParseResource(verb, methodVersion, methodResource, methodSubresource, resourceName, out operation, out error);
    }

    private static bool TryParseNonResource(string verb, string resourceName, out GkeOperation? operation, out string? error)
    {
        if (resourceName.Length == 0)
        {
            operation = null;
            error = "$.protoPayload.resourceName: empty, but a non-resource request needs its path";
            return false;
        }

        var path = resourceName[0] == '/' ? resourceName : "/" + resourceName;
        operation = new GkeOperation(verb, path, IsResourceRequest: false, "", "", null, "", null, null);
        error = null;
        return true;
    }

    private static bool TryParseResource(
        string verb, string methodVersion, string methodResource, string? methodSubresource, string resourceName,
        out GkeOperation? operation, out string? error)
    {
        operation = null;
        var segments = resourceName.Split('/');
        if (segments.Length < 3 || segments.Any(s => s.Length == 0))
        {
            error = $"$.protoPayload.resourceName: '{resourceName}' is not <group>/<version>/[namespaces/<namespace>/]<resource>[/<name>[/<subresource>]]";
            return false;
        }

        var group = segments[0] == "core" ? "" : segments[0];
        var version = segments[1];
        if (version != methodVersion)
        {
            error = $"$.protoPayload.resourceName: version '{version}' disagrees with methodName version '{methodVersion}'";
            return false;
        }

        string? ns = null;
        int resourceAt;
        if (methodResource != "namespaces" && segments.Length >= 5 && segments[2] == "namespaces")
        {
            ns = segments[3];
            resourceAt = 4;
        }
        else
        {
            // Cluster-scoped resources, and Namespace objects themselves: core/v1/namespaces/foo[/finalize].
            resourceAt = 2;
        }

        var resource = segments[resourceAt];
        var name = segments.Length > resourceAt + 1 ? segments[resourceAt + 1] : null;
        var subresource = segments.Length > resourceAt + 2 ? segments[resourceAt + 2] : null;
        if (segments.Length > resourceAt + 3)
        {
            error = $"$.protoPayload.resourceName: '{resourceName}' has segments after the subresource";
            return false;
        }

        if (resource != methodResource)
        {
            error = $"$.protoPayload.resourceName: resource '{resource}' disagrees with methodName resource '{methodResource}'";
            return false;
        }

        if (methodSubresource is not null)
        {
            if (subresource is not null && subresource != methodSubresource)
            {
                error = $"$.protoPayload.resourceName: subresource '{subresource}' disagrees with methodName subresource '{methodSubresource}'";
                return false;
            }

            subresource = methodSubresource;
        }

        var uri = BuildRequestUri(verb, group, version, ns, resource, name, subresource);
        operation = new GkeOperation(verb, uri, IsResourceRequest: true, group, version, ns, resource, name, subresource);
        error = null;
        return true;
    }

    /// <summary>
    /// Rebuilds the URI kube-apiserver would have logged. It is only a reconstruction: the real one carried query
    /// parameters (limit, labelSelector, dryRun, fieldManager…) that GKE does not export.
    /// </summary>
    private static string BuildRequestUri(string verb, string group, string version, string? ns, string resource, string? name, string? subresource)
    {
        var uri = new StringBuilder(96);
        uri.Append(group.Length == 0 ? "/api/" : "/apis/");
        if (group.Length > 0)
        {
            uri.Append(group).Append('/');
        }

        uri.Append(version);
        if (ns is not null)
        {
            uri.Append("/namespaces/").Append(ns);
        }

        uri.Append('/').Append(resource);

        // A create POSTs to the collection; kube-apiserver takes the name from the body. A list or watch of a
        // single object is a collection request narrowed by metadata.name, which is how clients (informers,
        // kubectl get --watch <name>) ask for it.
        var collection = subresource is null && verb is "create" or "list" or "watch" or "deletecollection";
        if (name is not null && !collection)
        {
            uri.Append('/').Append(name);
            if (subresource is not null)
            {
                uri.Append('/').Append(subresource);
            }
        }

        var query = new List<string>(2);
        if (name is not null && subresource is null && verb is "list" or "watch")
        {
            query.Add("fieldSelector=" + Uri.EscapeDataString("metadata.name=" + name));
        }

        if (verb == "watch")
        {
            query.Add("watch=true");
        }

        if (query.Count > 0)
        {
            uri.Append('?').AppendJoin('&', query);
        }

        return uri.ToString();
    }

    /// <summary>Matches Kubernetes API versions: v1, v2, v1beta1, v1alpha3.</summary>
    internal static bool IsKubernetesVersion(string token)
    {
        if (token.Length < 2 || token[0] != 'v' || !char.IsAsciiDigit(token[1]))
        {
            return false;
        }

        var i = 1;
        while (i < token.Length && char.IsAsciiDigit(token[i]))
        {
            i++;
        }

        if (i == token.Length)
        {
            return true;
        }

        var rest = token.AsSpan(i);
        var stability = rest.StartsWith("alpha") ? 5 : rest.StartsWith("beta") ? 4 : 0;
        if (stability == 0 || rest.Length == stability)
        {
            return false;
        }

        foreach (var c in rest[stability..])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
