using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Review;
using Auditrail.Cli.Commands.Admission;
using Auditrail.Cli.Hosting;
using Auditrail.Server.Configuration;
using Auditrail.Server.Namespaces;
using k8s;

namespace Auditrail.Cli.Commands.Serve;

/// <summary>
/// The reviewer the server runs, the namespace cache it must keep current (null unless namespaces come
/// from the cluster), and what the operator should know about how it was built.
/// </summary>
internal sealed record ComposedReviewer(IAdmissionReviewer Reviewer, ClusterNamespaceCache? NamespaceCache, IReadOnlyList<string> Warnings);

/// <summary>
/// The one place <c>auditrail serve</c> builds its <see cref="IAdmissionReviewer"/> from the
/// <c>admission:</c> settings: the guardrails (the configured directories, or the bundled set beside the
/// binary), the namespaces their selectors and the Pod Security labels read, and the pipeline itself,
/// composed by <see cref="AdmissionSetup.Compose"/> exactly as the offline <c>auditrail admission</c>
/// verbs compose it, so a manifest checked offline gets the verdict the webhook gives.
/// </summary>
internal static class AdmissionComposition
{
    /// <summary>
    /// Each watch asks the apiserver for at most this long, then is reopened from the last version; under
    /// the apiserver's own limit (--min-request-timeout, 30 min) and short enough to notice a dead connection.
    /// </summary>
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The reviewer, or null when it cannot be built: every problem (each guardrail diagnostic with
    /// file:line, each unreadable Namespace file, an unusable kubeconfig) is written to stderr first.
    /// </summary>
    public static ComposedReviewer? Compose(CliContext context, AdmissionSettings settings, Func<bool>? runningInCluster = null)
    {
        var warnings = new List<string>();
        var guardrails = AdmissionSetup.LoadGuardrails(context, settings.GuardrailDirectories);
        if (guardrails is null)
        {
            return null;
        }

        // Offline a bad guardrail is reported and the rest still check; a webhook that silently runs
        // without one of its guardrails is a security gap, so the server refuses to start instead.
        var guardrailErrors = guardrails.Diagnostics.Count(d => !d.IsWarning);
        if (guardrailErrors > 0)
        {
            context.Error.WriteLine($"error: {guardrailErrors} problem(s) in the guardrails ({string.Join(", ", GuardrailSources(settings))})");
            return null;
        }

        if (!TryNamespaces(context, settings, runningInCluster ?? KubernetesClientConfiguration.IsInCluster, warnings, out var namespaces, out var cache))
        {
            return null;
        }

        return new ComposedReviewer(AdmissionSetup.Compose(guardrails, namespaces, settings.PodSecurity), cache, warnings);
    }

    private static IEnumerable<string> GuardrailSources(AdmissionSettings settings) =>
        settings.GuardrailDirectories.Count > 0 ? settings.GuardrailDirectories : [AdmissionSetup.DefaultGuardrailDirectory];

    /// <summary>
    /// Static Namespace objects from <c>admission.namespaces</c>; else a live cache through
    /// <c>admission.kubeconfig</c> or, in a pod, the service account; else none, and every namespace
    /// gets the Pod Security defaults and matches no namespace selector.
    /// </summary>
    private static bool TryNamespaces(CliContext context, AdmissionSettings settings, Func<bool> runningInCluster, List<string> warnings,
        out INamespaceSource namespaces, out ClusterNamespaceCache? cache)
    {
        cache = null;
        var catalog = new NamespaceCatalog();
        namespaces = catalog;
        if (settings.NamespaceFiles.Count > 0)
        {
            var diagnostics = new List<AdmissionDiagnostic>();
            var manifests = ManifestReader.ReadPaths(settings.NamespaceFiles, diagnostics);
            foreach (var diagnostic in diagnostics)
            {
                context.Error.WriteLine(diagnostic.ToString());
            }

            var errors = diagnostics.Count(d => !d.IsWarning);
            if (errors > 0)
            {
                context.Error.WriteLine($"error: {errors} problem(s) in admission.namespaces");
                return false;
            }

            catalog.AddRange(manifests);
            if (catalog.Count == 0)
            {
                warnings.Add($"admission.namespaces ({string.Join(", ", settings.NamespaceFiles)}) holds no v1 Namespace objects: the Pod Security defaults apply everywhere");
            }

            return true;
        }

        if (settings.Kubeconfig is null && !runningInCluster())
        {
            warnings.Add("no namespace source (admission.namespaces or admission.kubeconfig, or running in a pod): namespace labels are unknown, so the Pod Security defaults apply everywhere and namespace selectors match nothing");
            return true;
        }

        IKubernetes client;
        try
        {
            client = ClusterNamespaceCache.CreateClient(settings.Kubeconfig);
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException)
        {
            var where = settings.Kubeconfig is { } file ? $"admission.kubeconfig {file}" : "the in-cluster configuration";
            context.Error.WriteLine($"error: cannot use {where}: {ex.Message}");
            return false;
        }

        cache = new ClusterNamespaceCache(client, WatchTimeout);
        namespaces = cache;
        return true;
    }
}
