using Auditrail.Rbac.Model;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Auditrail.Rbac.Loading;

/// <summary>
/// Reads RBAC from a live cluster through a kubeconfig with the official client: ClusterRoles, Roles,
/// ClusterRoleBindings, RoleBindings and ServiceAccounts of every namespace, page by page. A list the
/// credentials may not read (often ServiceAccounts, or Roles outside one's namespace) is reported and
/// the others are still used. Rules of aggregated ClusterRoles are recomputed from the selected roles,
/// which gives what the controller keeps in the cluster.
/// </summary>
public static class ClusterRbacSource
{
    private const int PageSize = 500;

    /// <summary>Connects with <paramref name="kubeconfigPath"/> (default: <c>$KUBECONFIG</c> or <c>~/.kube/config</c>) and <paramref name="context"/> (default: the current one).</summary>
    public static async Task<RbacLoadResult> LoadAsync(string? kubeconfigPath, string? context, CancellationToken cancellationToken)
    {
        KubernetesClientConfiguration configuration;
        try
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath, context);
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            var where = kubeconfigPath ?? "kubeconfig";
            return new RbacLoadResult(RbacSnapshot.Empty,
                [new RbacDiagnostic(RbacCodes.ClusterUnavailable, RbacDiagnosticSeverity.Error, ManifestLocation.Of(where), $"cannot use the kubeconfig: {ex.Message}")]);
        }

        using var client = new Kubernetes(configuration);
        var source = $"cluster {context ?? configuration.CurrentContext ?? configuration.Host}";
        return await LoadAsync(client, source, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists everything through <paramref name="client"/>; <paramref name="source"/> names the cluster in locations.</summary>
    public static async Task<RbacLoadResult> LoadAsync(IKubernetes client, string source, CancellationToken cancellationToken)
    {
        var diagnostics = new List<RbacDiagnostic>();
        var objects = new RbacObjectSet();
        var rbac = client.RbacAuthorizationV1;

        foreach (var item in await ListAllAsync("clusterroles", source, diagnostics,
                     (next, ct) => rbac.ListClusterRoleAsync(continueParameter: next, limit: PageSize, cancellationToken: ct), l => l.Items, l => l.Metadata, cancellationToken).ConfigureAwait(false))
        {
            objects.Add(ToRole(item.Metadata, item.Rules, item.AggregationRule, isClusterRole: true, source), diagnostics);
        }

        foreach (var item in await ListAllAsync("roles", source, diagnostics,
                     (next, ct) => rbac.ListRoleForAllNamespacesAsync(continueParameter: next, limit: PageSize, cancellationToken: ct), l => l.Items, l => l.Metadata, cancellationToken).ConfigureAwait(false))
        {
            objects.Add(ToRole(item.Metadata, item.Rules, aggregation: null, isClusterRole: false, source), diagnostics);
        }

        foreach (var item in await ListAllAsync("clusterrolebindings", source, diagnostics,
                     (next, ct) => rbac.ListClusterRoleBindingAsync(continueParameter: next, limit: PageSize, cancellationToken: ct), l => l.Items, l => l.Metadata, cancellationToken).ConfigureAwait(false))
        {
            objects.Add(ToBinding(item.Metadata, item.RoleRef, item.Subjects, isClusterBinding: true, source), diagnostics);
        }

        foreach (var item in await ListAllAsync("rolebindings", source, diagnostics,
                     (next, ct) => rbac.ListRoleBindingForAllNamespacesAsync(continueParameter: next, limit: PageSize, cancellationToken: ct), l => l.Items, l => l.Metadata, cancellationToken).ConfigureAwait(false))
        {
            objects.Add(ToBinding(item.Metadata, item.RoleRef, item.Subjects, isClusterBinding: false, source), diagnostics);
        }

        foreach (var item in await ListAllAsync("serviceaccounts", source, diagnostics,
                     (next, ct) => client.CoreV1.ListServiceAccountForAllNamespacesAsync(continueParameter: next, limit: PageSize, cancellationToken: ct), l => l.Items, l => l.Metadata, cancellationToken).ConfigureAwait(false))
        {
            objects.Add(new RbacServiceAccount(item.Metadata?.NamespaceProperty ?? string.Empty, item.Metadata?.Name ?? string.Empty, Locate(source, "serviceaccounts", item.Metadata)), diagnostics);
        }

        var snapshot = objects.Build(diagnostics);
        return new RbacLoadResult(snapshot, diagnostics);
    }

    internal static RbacRole ToRole(V1ObjectMeta? metadata, IList<V1PolicyRule>? rules, V1AggregationRule? aggregation, bool isClusterRole, string source) => new()
    {
        IsClusterRole = isClusterRole,
        Name = metadata?.Name ?? string.Empty,
        Namespace = isClusterRole ? string.Empty : metadata?.NamespaceProperty ?? string.Empty,
        Labels = metadata?.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal),
        Rules = [.. (rules ?? []).Select(r => new PolicyRule
        {
            Verbs = Copy(r.Verbs),
            ApiGroups = Copy(r.ApiGroups),
            Resources = Copy(r.Resources),
            ResourceNames = Copy(r.ResourceNames),
            NonResourceUrls = Copy(r.NonResourceURLs),
        })],
        AggregationRule = aggregation is null
            ? null
            : [.. (aggregation.ClusterRoleSelectors ?? []).Select(s => new LabelSelector
            {
                MatchLabels = s.MatchLabels is { } matchLabels ? new Dictionary<string, string>(matchLabels, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal),
                MatchExpressions = [.. (s.MatchExpressions ?? []).Select(e => new LabelSelectorRequirement(e.Key ?? string.Empty, e.OperatorProperty ?? string.Empty, Copy(e.Values)))],
            })],
        Source = Locate(source, isClusterRole ? "clusterroles" : "roles", metadata),
    };

    internal static RbacBinding ToBinding(V1ObjectMeta? metadata, V1RoleRef? roleRef, IList<Rbacv1Subject>? subjects, bool isClusterBinding, string source) => new()
    {
        IsClusterBinding = isClusterBinding,
        Name = metadata?.Name ?? string.Empty,
        Namespace = isClusterBinding ? string.Empty : metadata?.NamespaceProperty ?? string.Empty,
        RoleRef = new RoleRef(roleRef?.Kind ?? string.Empty, roleRef?.Name ?? string.Empty, roleRef?.ApiGroup ?? string.Empty),
        // The apiserver admits only these three kinds, so another one cannot come from a cluster.
        Subjects = [.. (subjects ?? [])
            .Where(s => Enum.TryParse<SubjectKind>(s.Kind, ignoreCase: false, out _))
            .Select(s => new RbacSubject(Enum.Parse<SubjectKind>(s.Kind), s.Name ?? string.Empty, s.NamespaceProperty ?? string.Empty))],
        Source = Locate(source, isClusterBinding ? "clusterrolebindings" : "rolebindings", metadata),
    };

    private static async Task<List<TItem>> ListAllAsync<TList, TItem>(
        string resource,
        string source,
        List<RbacDiagnostic> diagnostics,
        Func<string?, CancellationToken, Task<TList>> listPage,
        Func<TList, IList<TItem>?> items,
        Func<TList, V1ListMeta?> listMeta,
        CancellationToken cancellationToken)
    {
        var result = new List<TItem>();
        string? next = null;
        try
        {
            do
            {
                var page = await listPage(next, cancellationToken).ConfigureAwait(false);
                result.AddRange(items(page) ?? []);
                next = listMeta(page)?.ContinueProperty;
            }
            while (!string.IsNullOrEmpty(next));
        }
        catch (HttpOperationException ex)
        {
            var status = (int)ex.Response.StatusCode;
            var why = status == 403 ? "forbidden for these credentials" : $"HTTP {status}";
            diagnostics.Add(new RbacDiagnostic(RbacCodes.ClusterUnavailable, status == 403 ? RbacDiagnosticSeverity.Warning : RbacDiagnosticSeverity.Error,
                ManifestLocation.Of(source), $"cannot list {resource} ({why}); the analysis goes on without them"));
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Exceptions.KubernetesClientException or k8s.Exceptions.KubeConfigException or IOException
            || ex is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Unreachable server, TLS or credential plugin failure, or a timeout: say so and go on with what was read.
            var why = ex is TaskCanceledException ? "timed out" : ex.Message;
            diagnostics.Add(new RbacDiagnostic(RbacCodes.ClusterUnavailable, RbacDiagnosticSeverity.Error, ManifestLocation.Of(source), $"cannot list {resource}: {why}"));
        }

        return result;
    }

    private static List<string> Copy(IList<string>? values) => values is null ? [] : [.. values];

    private static ManifestLocation Locate(string source, string resource, V1ObjectMeta? metadata) =>
        ManifestLocation.Of(metadata?.NamespaceProperty is { Length: > 0 } ns ? $"{source} {resource}/{ns}/{metadata.Name}" : $"{source} {resource}/{metadata?.Name}");
}
