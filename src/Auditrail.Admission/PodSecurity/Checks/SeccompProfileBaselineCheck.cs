using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Baseline: a seccomp profile, if set, must not be Unconfined. Before v1.19 the profile was set with
/// the alpha annotations (allowed values <c>runtime/default</c>, <c>docker/default</c>, <c>localhost/*</c>);
/// from v1.19 the <c>seccompProfile.type</c> fields (RuntimeDefault or Localhost). Replaced by
/// <c>seccompProfile_restricted</c> at restricted from v1.19.
/// </summary>
internal static class SeccompProfileBaselineCheck
{
    public const string Id = "seccompProfile_baseline";

    private const string PodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
    private const string ContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/";

    public static PodSecurityCheck Definition { get; } = new(Id, PodSecurityLevel.Baseline,
    [
        new(0, Annotations),
        new(19, Fields),
    ]);

    public static bool IsValidType(string? type) => type is "RuntimeDefault" or "Localhost";

    /// <summary>The explicitly set bad types of the pod and its containers, sorted, as the detail lists them.</summary>
    public static string BadTypes(PodSecurityInput pod) => CheckText.JoinQuote(CheckText.SortedSet(
        pod.Containers.Select(c => c.Security.SeccompProfileType).Prepend(pod.PodSecurity.SeccompProfileType)
            .OfType<string>().Where(type => !IsValidType(type))));

    private static CheckFailure? Annotations(PodSecurityInput pod)
    {
        List<string>? forbidden = null;
        if (pod.Annotations.TryGetValue(PodAnnotation, out var podValue) && !IsValidAnnotation(podValue))
        {
            (forbidden ??= []).Add($"{PodAnnotation}={CheckText.GoQuote(podValue)}");
        }

        foreach (var container in pod.Containers)
        {
            var key = ContainerAnnotationPrefix + container.Name;
            if (pod.Annotations.TryGetValue(key, out var value) && !IsValidAnnotation(value))
            {
                (forbidden ??= []).Add($"{key}={CheckText.GoQuote(value)}");
            }
        }

        if (forbidden is null)
        {
            return null;
        }

        var sorted = CheckText.SortedSet(forbidden);
        return new CheckFailure("seccompProfile", $"forbidden {CheckText.Pluralize("annotation", "annotations", sorted.Count)} {string.Join(", ", sorted)}");
    }

    private static bool IsValidAnnotation(string value) =>
        value is "runtime/default" or "docker/default" || value.StartsWith("localhost/", StringComparison.Ordinal);

    private static CheckFailure? Fields(PodSecurityInput pod)
    {
        static bool IsBad(string? type) => type is not null && !IsValidType(type);

        var setters = Setters.Describe(IsBad(pod.PodSecurity.SeccompProfileType), Setters.Containers(pod, static c => IsBad(c.Security.SeccompProfileType)));
        return setters is null
            ? null
            : new CheckFailure("seccompProfile", $"{setters} must not set securityContext.seccompProfile.type to {BadTypes(pod)}");
    }
}
