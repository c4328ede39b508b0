using System.Text.Json;
using Auditrail.Admission.PodSecurity.Input;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.PodSecurity;

/// <summary>
/// Pod Security Admission as a validating check. Like the built-in PodSecurity plugin it reads each
/// namespace's <c>pod-security.kubernetes.io/{enforce,audit,warn}[-version]</c> labels over the
/// configured defaults, skips exempt users, namespaces and runtime classes, and then:
/// <list type="bullet">
/// <item>pods (CREATE, UPDATE that can change the outcome, and subresources such as ephemeralcontainers
/// that carry a pod): enforce → <see cref="FindingAction.Deny"/>, audit → <see cref="FindingAction.Audit"/>
/// plus the <c>audit-violations</c> annotation, warn → <see cref="FindingAction.Warn"/> (not when denied);</item>
/// <item>workloads' pod templates: audit and warn only, unless <see cref="PodSecurityConfiguration.EnforceOnTemplates"/>;</item>
/// <item>namespaces: invalid Pod Security labels are refused when created or changed.</item>
/// </list>
/// DELETE and CONNECT always pass. Every finding's <see cref="AdmissionFinding.CheckId"/> is the
/// upstream check id (<c>runAsNonRoot</c>, <c>hostPathVolumes</c>…).
/// </summary>
public sealed class PodSecurityAdmissionCheck(PodSecurityConfiguration configuration) : IAdmissionValidator
{
    /// <summary>The <see cref="AdmissionFinding.Source"/> of every finding of this check.</summary>
    public const string SourceName = "pod-security";

    /// <summary>The check id of findings about fields that could not be decoded (the apiserver would refuse such an object outright).</summary>
    public const string MalformedPodCheckId = "malformedPod";

    /// <summary>The check id of findings about a namespace's invalid Pod Security labels.</summary>
    public const string NamespaceLabelsCheckId = "namespaceLabels";

    /// <summary>Pod subresources that cannot change what runs in the pod; any other subresource carries a pod and is checked.</summary>
    private static readonly HashSet<string> IgnoredPodSubresources = new(StringComparer.Ordinal)
    {
        "exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status",
    };

    private readonly HashSet<string> _exemptUsers = new(configuration.ExemptUsernames, StringComparer.Ordinal);
    private readonly HashSet<string> _exemptNamespaces = new(configuration.ExemptNamespaces, StringComparer.Ordinal);
    private readonly HashSet<string> _exemptRuntimeClasses = new(configuration.ExemptRuntimeClasses, StringComparer.Ordinal);

    public PodSecurityAdmissionCheck()
        : this(new PodSecurityConfiguration())
    {
    }

    public string Name => SourceName;

    public PodSecurityConfiguration Configuration => configuration;

    public void Validate(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        if (request.Operation is not (AdmissionOperation.Create or AdmissionOperation.Update))
        {
            return;
        }

        switch (PodTemplates.Classify(request.Resource))
        {
            case PodSecurityTarget.Pod when !IgnoredPodSubresources.Contains(request.SubResource ?? ""):
                ValidatePod(request, context, result, isTemplate: false);
                break;
            case PodSecurityTarget.Template when string.IsNullOrEmpty(request.SubResource):
                ValidatePod(request, context, result, isTemplate: true);
                break;
            case PodSecurityTarget.Namespace when string.IsNullOrEmpty(request.SubResource):
                ValidateNamespace(request, result);
                break;
        }
    }

    private void ValidatePod(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result, bool isTemplate)
    {
        var namespaceName = request.Namespace ?? "";
        if (namespaceName.Length > 0 && _exemptNamespaces.Contains(namespaceName))
        {
            result.AuditAnnotations[PodSecurityLabels.ExemptAnnotation] = "namespace";
            return;
        }

        if (request.UserInfo.Username.Length > 0 && _exemptUsers.Contains(request.UserInfo.Username))
        {
            result.AuditAnnotations[PodSecurityLabels.ExemptAnnotation] = "user";
            return;
        }

        // A namespace the source does not know has no labels: the configured defaults apply.
        var labels = PodSecurityPolicy.LabelsOf(namespaceName.Length > 0 ? context.Namespaces.FindNamespace(namespaceName) : null);
        var policy = PodSecurityPolicy.FromLabels(labels, configuration.Defaults, out var labelErrors);
        var enforce = !isTemplate || configuration.EnforceOnTemplates;
        var nothingToCheck = enforce
            ? policy.FullyPrivileged
            : policy.Audit.Level == PodSecurityLevel.Privileged && policy.Warn.Level == PodSecurityLevel.Privileged;
        if (labelErrors.Count == 0 && nothingToCheck)
        {
            return;
        }

        var pod = ReadPod(request, out var specPath);
        if (pod is null)
        {
            return;
        }

        if (pod.RuntimeClassName is { Length: > 0 } runtimeClass && _exemptRuntimeClasses.Contains(runtimeClass))
        {
            result.AuditAnnotations[PodSecurityLabels.ExemptAnnotation] = "runtimeClass";
            return;
        }

        if (labelErrors.Count > 0)
        {
            result.AuditAnnotations[PodSecurityLabels.ErrorAnnotation] = $"Failed to parse policy: {PodSecurityPolicy.JoinErrors(labelErrors)}";
        }

        Evaluate(pod, policy, enforce, specPath, result);
    }

    /// <summary>The pod to check, or null when there is none (an unchanged pod on UPDATE, a workload without a template).</summary>
    private static PodSecurityInput? ReadPod(AdmissionRequest request, out string specPath)
    {
        if (request.Object is not { } obj)
        {
            specPath = "$";
            return PodSecurityInputReader.Malformed("$", "the request carries no object");
        }

        if (PodTemplates.Classify(request.Resource) == PodSecurityTarget.Pod
            && request.Operation == AdmissionOperation.Update
            && request.OldObject is { } oldObj
            && !PodUpdates.IsSignificant(obj, oldObj))
        {
            specPath = "spec";
            return null;
        }

        return PodTemplates.Read(request.Resource, obj, out specPath);
    }

    private static void Evaluate(PodSecurityInput pod, PodSecurityPolicy policy, bool enforce, string specPath, AdmissionCheckResult result)
    {
        // Modes that share a level and version share one evaluation, as upstream caches them.
        var results = new Dictionary<PodSecurityLevelVersion, PodSecurityResult>();
        PodSecurityResult EvaluateOnce(PodSecurityLevelVersion levelVersion)
        {
            if (!results.TryGetValue(levelVersion, out var evaluated))
            {
                evaluated = PodSecurityEvaluator.Evaluate(levelVersion, pod);
                results[levelVersion] = evaluated;
            }

            return evaluated;
        }

        var denied = false;
        if (enforce)
        {
            result.AuditAnnotations[PodSecurityLabels.EnforcePolicyAnnotation] = policy.Enforce.ToString();
            var enforced = EvaluateOnce(policy.Enforce);
            denied = !enforced.Allowed;
            AddFindings(enforced, FindingAction.Deny, "violates", specPath, result);
        }

        var audited = EvaluateOnce(policy.Audit);
        if (!audited.Allowed)
        {
            result.AuditAnnotations[PodSecurityLabels.AuditViolationsAnnotation] = $"would violate PodSecurity \"{audited.Policy}\": {audited.ForbiddenDetail()}";
            AddFindings(audited, FindingAction.Audit, "would violate", specPath, result);
        }

        // No warnings on a request that is denied anyway, as upstream.
        if (!denied)
        {
            AddFindings(EvaluateOnce(policy.Warn), FindingAction.Warn, "would violate", specPath, result);
        }
    }

    private static void AddFindings(PodSecurityResult evaluated, FindingAction action, string verb, string specPath, AdmissionCheckResult result)
    {
        foreach (var violation in evaluated.Violations)
        {
            result.Findings.Add(new AdmissionFinding(SourceName, violation.CheckId, $"{verb} PodSecurity \"{evaluated.Policy}\": {violation}", action, specPath));
        }

        if (evaluated.InputErrors.Count > 0)
        {
            result.Findings.Add(new AdmissionFinding(
                SourceName,
                MalformedPodCheckId,
                $"{verb} PodSecurity \"{evaluated.Policy}\": malformed pod ({string.Join("; ", evaluated.InputErrors)})",
                action,
                evaluated.InputErrors[0].Path));
        }
    }

    /// <summary>
    /// A namespace's Pod Security labels must be valid when it is created, and when an update changes
    /// them (an existing bad label is not held against unrelated updates). Exempt namespaces that ask
    /// for a policy are warned that it will be ignored. Upstream's dry run of the existing pods against
    /// a tightened enforce level needs a pod lister and is not done here.
    /// </summary>
    private void ValidateNamespace(AdmissionRequest request, AdmissionCheckResult result)
    {
        var labels = PodSecurityPolicy.LabelsOf(request.Object);
        var policy = PodSecurityPolicy.FromLabels(labels, configuration.Defaults, out var errors);
        PodSecurityPolicy? oldPolicy = null;
        IReadOnlyList<string> oldErrors = [];
        if (request.Operation == AdmissionOperation.Update)
        {
            oldPolicy = PodSecurityPolicy.FromLabels(PodSecurityPolicy.LabelsOf(request.OldObject), configuration.Defaults, out oldErrors);
        }

        if (errors.Count > 0 && (oldErrors.Count == 0 || !oldErrors.SequenceEqual(errors)))
        {
            foreach (var error in errors)
            {
                result.Findings.Add(new AdmissionFinding(SourceName, NamespaceLabelsCheckId, error, FindingAction.Deny, "metadata.labels"));
            }

            return;
        }

        // On update, upstream looks again only when the enforce policy got stricter.
        if (oldPolicy is { } previous
            && (policy.Enforce == previous.Enforce
                || policy.Enforce.Level == PodSecurityLevel.Privileged
                || (policy.Enforce.Version == previous.Enforce.Version && policy.Enforce.Level <= previous.Enforce.Level)))
        {
            return;
        }

        var name = request.Name is { Length: > 0 } requestName ? requestName : NameOf(request.Object);
        if (name is not null && _exemptNamespaces.Contains(name) && !policy.FullyPrivileged && policy != configuration.Defaults)
        {
            var asked = new List<string>(3);
            AddAsked(asked, "enforce", policy.Enforce, labels, PodSecurityLabels.Enforce, PodSecurityLabels.EnforceVersion);
            AddAsked(asked, "audit", policy.Audit, labels, PodSecurityLabels.Audit, PodSecurityLabels.AuditVersion);
            AddAsked(asked, "warn", policy.Warn, labels, PodSecurityLabels.Warn, PodSecurityLabels.WarnVersion);
            result.Findings.Add(new AdmissionFinding(SourceName, NamespaceLabelsCheckId,
                $"namespace \"{name}\" is exempt from Pod Security, and the policy ({string.Join(", ", asked)}) will be ignored", FindingAction.Warn, "metadata.labels"));
        }
    }

    private static void AddAsked(List<string> asked, string mode, PodSecurityLevelVersion levelVersion, Dictionary<string, string?> labels, string levelLabel, string versionLabel)
    {
        if (levelVersion.Level != PodSecurityLevel.Privileged && (labels.ContainsKey(levelLabel) || labels.ContainsKey(versionLabel)))
        {
            asked.Add($"{mode}={levelVersion}");
        }
    }

    private static string? NameOf(JsonElement? obj) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
}
