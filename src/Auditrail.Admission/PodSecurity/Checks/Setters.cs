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
        // Indexed, not foreach: enumerating an IReadOnlyList through its interface would allocate on every check.
        List<string>? names = null;
        var containers = pod.Containers;
        for (var i = 0; i < containers.Count; i++)
        {
            if (isBad(containers[i]))
            {
                (names ??= []).Add(containers[i].Name);
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
