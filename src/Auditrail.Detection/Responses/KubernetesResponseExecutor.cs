using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Auditrail.Detection.Responses;

/// <summary>Carries out planned calls; the seam between the guard rails and the cluster.</summary>
public interface IResponseExecutor
{
    Task ExecuteAsync(ResponseCall call, CancellationToken cancellationToken);
}

/// <summary>Carries out planned calls through the official Kubernetes client (typed API, so the client's auth, TLS and retries apply).</summary>
public sealed class KubernetesResponseExecutor(IKubernetes client) : IResponseExecutor, IDisposable
{
    /// <summary>From a kubeconfig file (null: the default <c>$KUBECONFIG</c> or <c>~/.kube/config</c>) and context (null: current).</summary>
    public static KubernetesResponseExecutor FromKubeconfig(string? path, string? context) =>
        new(new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context)));

    /// <summary>From the pod's service account (token, CA and the <c>KUBERNETES_SERVICE_*</c> address).</summary>
    public static KubernetesResponseExecutor InCluster() => new(new Kubernetes(KubernetesClientConfiguration.InClusterConfig()));

    public async Task ExecuteAsync(ResponseCall call, CancellationToken cancellationToken)
    {
        var target = call.Target;
        var ns = target.Namespace!;
        var name = target.Name;
        V1Patch Patch() => new(call.MergePatch!, V1Patch.PatchType.MergePatch);
        switch (call.Kind, target.Group, target.Resource)
        {
            case (ResponseActionKind.DeletePod, _, _):
                await client.CoreV1.DeleteNamespacedPodAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case (ResponseActionKind.ScaleToZero, _, "deployments"):
                await client.AppsV1.PatchNamespacedDeploymentScaleAsync(Patch(), name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case (ResponseActionKind.ScaleToZero, _, "statefulsets"):
                await client.AppsV1.PatchNamespacedStatefulSetScaleAsync(Patch(), name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case (ResponseActionKind.ScaleToZero, _, "replicasets"):
                await client.AppsV1.PatchNamespacedReplicaSetScaleAsync(Patch(), name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case (ResponseActionKind.DeleteBinding, _, "rolebindings"):
                await client.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case (ResponseActionKind.DeleteBinding, _, "clusterrolebindings"):
                await client.RbacAuthorizationV1.DeleteClusterRoleBindingAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case (ResponseActionKind.CordonNode, _, _):
                await client.CoreV1.PatchNodeAsync(Patch(), name, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case (ResponseActionKind.Label or ResponseActionKind.Annotate, _, _):
                await PatchMetadataAsync(target, Patch(), cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException($"no API call for {call}");
        }
    }

    /// <summary>One typed patch per object kind <see cref="ResponseCall.Labelable"/> lists.</summary>
    private Task PatchMetadataAsync(ResponseTarget target, V1Patch patch, CancellationToken ct)
    {
        var (ns, name) = (target.Namespace!, target.Name);
        return (target.Group, target.Resource) switch
        {
            ("", "pods") => client.CoreV1.PatchNamespacedPodAsync(patch, name, ns, cancellationToken: ct),
            ("", "services") => client.CoreV1.PatchNamespacedServiceAsync(patch, name, ns, cancellationToken: ct),
            ("", "serviceaccounts") => client.CoreV1.PatchNamespacedServiceAccountAsync(patch, name, ns, cancellationToken: ct),
            ("", "namespaces") => client.CoreV1.PatchNamespaceAsync(patch, name, cancellationToken: ct),
            ("", "nodes") => client.CoreV1.PatchNodeAsync(patch, name, cancellationToken: ct),
            ("apps", "deployments") => client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, ns, cancellationToken: ct),
            ("apps", "statefulsets") => client.AppsV1.PatchNamespacedStatefulSetAsync(patch, name, ns, cancellationToken: ct),
            ("apps", "replicasets") => client.AppsV1.PatchNamespacedReplicaSetAsync(patch, name, ns, cancellationToken: ct),
            ("apps", "daemonsets") => client.AppsV1.PatchNamespacedDaemonSetAsync(patch, name, ns, cancellationToken: ct),
            ("rbac.authorization.k8s.io", "roles") => client.RbacAuthorizationV1.PatchNamespacedRoleAsync(patch, name, ns, cancellationToken: ct),
            ("rbac.authorization.k8s.io", "rolebindings") => client.RbacAuthorizationV1.PatchNamespacedRoleBindingAsync(patch, name, ns, cancellationToken: ct),
            ("rbac.authorization.k8s.io", "clusterroles") => client.RbacAuthorizationV1.PatchClusterRoleAsync(patch, name, cancellationToken: ct),
            ("rbac.authorization.k8s.io", "clusterrolebindings") => client.RbacAuthorizationV1.PatchClusterRoleBindingAsync(patch, name, cancellationToken: ct),
            _ => throw new InvalidOperationException($"labels and annotations are not supported on {target}"),
        };
    }

    /// <summary>
    /// A one-line description of why a call failed: the HTTP status and the apiserver's Status message (never
    /// request headers, which carry the token).
    /// </summary>
    public static string DescribeFailure(Exception error)
    {
        if (error is HttpOperationException { Response: { } response })
        {
            var message = StatusMessage(response.Content);
            return $"HTTP {(int)response.StatusCode} {response.StatusCode}{(message is null ? "" : ": " + message)}";
        }

        return $"{error.GetType().Name}: {error.Message}";
    }

    private static string? StatusMessage(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => client.Dispose();
}
