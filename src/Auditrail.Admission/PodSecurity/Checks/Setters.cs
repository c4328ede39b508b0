using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Who set a forbidden value: the pod, some containers, or both. Most checks name them the same way
/// upstream does (<c>pod and containers "a", "b" must not set …</c>).
/// </summary>
internal static class Setters
{
    /// <summary>The names of the containers <paramref name="isBad"/> picks, in visit order; null when none.</summary>
    public static List<string>? Containers(PodSecurityInput pod, Func<ContainerInput, bool> isBad)
    {
        List<string>? names = null;
        foreach (var container in pod.Containers)
        {
            if (isBad(container))
            {
                (names ??= []).Add(container.Name);
            }
        }

        return names;
    }

    /// <summary><c>pod</c>, <c>containers "a", "b"</c> or <c>pod and container "a"</c>; null when nobody set anything.</summary>
    public static string? Describe(bool pod, List<string>? containers) => (pod, containers) switch
    {
        (false, null) => null,
        (true, null) => "pod",
        (false, _) => CheckText.Containers(containers),
        _ => $"pod and {CheckText.Containers(containers)}",
    };
}
