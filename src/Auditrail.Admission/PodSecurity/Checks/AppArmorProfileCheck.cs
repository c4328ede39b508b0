using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Baseline: overriding or disabling the default AppArmor profile must be disallowed. Both channels are
/// read at every version, as upstream's single revision does: the <c>appArmorProfile.type</c> fields
/// (RuntimeDefault or Localhost) and the deprecated beta annotations
/// <c>container.apparmor.security.beta.kubernetes.io/*</c> (empty, <c>runtime/default</c> or <c>localhost/*</c>).
/// </summary>
internal static class AppArmorProfileCheck
{
    private const string AnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";

    public static PodSecurityCheck Definition { get; } = new("appArmorProfile", PodSecurityLevel.Baseline, [new(0, Check)]);

    private static bool IsBadType(string? type) => type is not null and not ("RuntimeDefault" or "Localhost");

    private static bool IsAllowedAnnotation(string value) =>
        value.Length == 0 || value == "runtime/default" || value.StartsWith("localhost/", StringComparison.Ordinal);

    private static CheckFailure? Check(PodSecurityInput pod)
    {
        var badContainers = Setters.Containers(pod, static c => IsBadType(c.Security.AppArmorProfileType));
        List<string>? badAnnotations = null;
        foreach (var (key, value) in pod.Annotations)
        {
            if (key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) && !IsAllowedAnnotation(value))
            {
                (badAnnotations ??= []).Add($"{key}={CheckText.GoQuote(value)}");
            }
        }

        var podIsBad = IsBadType(pod.PodSecurity.AppArmorProfileType);
        if (!podIsBad && badContainers is null && badAnnotations is null)
        {
            return null;
        }

        var setters = new List<string>(3);
        if (Setters.Describe(podIsBad, badContainers) is { } fieldSetters)
        {
            setters.Add(fieldSetters);
        }

        var badValues = CheckText.SortedSet(
            pod.Containers.Select(c => c.Security.AppArmorProfileType).Prepend(pod.PodSecurity.AppArmorProfileType).Where(IsBadType).OfType<string>());
        if (badAnnotations is not null)
        {
            badAnnotations.Sort(StringComparer.Ordinal);
            badValues.AddRange(badAnnotations);
            setters.Add(CheckText.Pluralize("annotation", "annotations", badAnnotations.Count));
        }

        return new CheckFailure(
            CheckText.Pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", badValues.Count),
            $"{string.Join(" and ", setters)} must not set AppArmor profile type to {CheckText.JoinQuote(badValues)}");
    }
}
