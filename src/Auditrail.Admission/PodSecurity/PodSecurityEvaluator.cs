using System.Text.Json;
using Auditrail.Admission.PodSecurity.Checks;
using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity;

/// <summary>
/// Evaluates pods against the Pod Security Standards with the semantics of Kubernetes'
/// pod-security-admission library: every baseline and restricted check, each in the revision that
/// applies to the requested policy version (v1.0 up to <see cref="NewestVersion"/>; newer versions and
/// <c>latest</c> evaluate as the newest). Input is the JSON of a pod's (or template's) metadata and spec.
/// </summary>
public static class PodSecurityEvaluator
{
    /// <summary>The newest policy version this build implements; <c>latest</c> means this one.</summary>
    public static PodSecurityVersion NewestVersion { get; } = PodSecurityVersion.V1(CheckRegistry.NewestMinor);

    /// <summary>
    /// Evaluates a pod's <paramref name="podMetadata"/> (an ObjectMeta; undefined or null when there is
    /// none) and <paramref name="podSpec"/> (a PodSpec). Never throws on malformed input: a field of the
    /// wrong type is reported in <see cref="PodSecurityResult.InputErrors"/>.
    /// </summary>
    public static PodSecurityResult Evaluate(PodSecurityLevel level, PodSecurityVersion version, JsonElement podMetadata, JsonElement podSpec) =>
        Evaluate(new PodSecurityLevelVersion(level, version), PodSecurityInputReader.Read(podMetadata, "metadata", podSpec, "spec"));

    /// <summary>Evaluates a whole Pod object (its <c>metadata</c> and <c>spec</c>).</summary>
    public static PodSecurityResult EvaluatePod(PodSecurityLevel level, PodSecurityVersion version, JsonElement pod)
    {
        var metadata = pod.ValueKind == JsonValueKind.Object && pod.TryGetProperty("metadata", out var m) ? m : default;
        var spec = pod.ValueKind == JsonValueKind.Object && pod.TryGetProperty("spec", out var s) ? s : default;
        return Evaluate(level, version, metadata, spec);
    }

    /// <summary>The ids of the checks that run at a level and version, in evaluation order.</summary>
    public static IReadOnlyList<string> CheckIds(PodSecurityLevel level, PodSecurityVersion version)
    {
        var ids = new List<string>();
        foreach (var (id, _) in CheckRegistry.For(level, version))
        {
            ids.Add(id);
        }

        return ids;
    }

    internal static PodSecurityResult Evaluate(PodSecurityLevelVersion policy, PodSecurityInput pod)
    {
        if (policy.Level == PodSecurityLevel.Privileged)
        {
            return new PodSecurityResult(policy, [], []);
        }

        List<PodSecurityViolation>? violations = null;
        foreach (var (id, evaluate) in CheckRegistry.For(policy.Level, policy.Version))
        {
            if (evaluate(pod) is { } failure)
            {
                (violations ??= []).Add(new PodSecurityViolation(id, failure.Reason, failure.Detail));
            }
        }

        return new PodSecurityResult(policy, violations ?? (IReadOnlyList<PodSecurityViolation>)[], pod.Errors);
    }
}
