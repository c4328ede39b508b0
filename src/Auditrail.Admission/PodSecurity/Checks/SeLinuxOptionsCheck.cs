using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Baseline: custom SELinux user or role options and types other than the container types must be
/// disallowed. <c>container_engine_t</c> joins the allowed types in v1.31.
/// </summary>
internal static class SeLinuxOptionsCheck
{
    private static readonly HashSet<string> AllowedTypes = new(StringComparer.Ordinal) { "", "container_t", "container_init_t", "container_kvm_t" };

    private static readonly HashSet<string> AllowedTypesV131 = new(AllowedTypes, StringComparer.Ordinal) { "container_engine_t" };

    public static PodSecurityCheck Definition { get; } = new("seLinuxOptions", PodSecurityLevel.Baseline,
    [
        new(0, pod => Check(pod, AllowedTypes)),
        new(31, pod => Check(pod, AllowedTypesV131)),
    ]);

    private static bool IsBad(SeLinuxSettings? options, HashSet<string> allowedTypes) =>
        options is { } o && (!allowedTypes.Contains(o.Type) || o.User.Length > 0 || o.Role.Length > 0);

    private static CheckFailure? Check(PodSecurityInput pod, HashSet<string> allowedTypes)
    {
        List<string>? badContainers = null;
        var containers = pod.Containers;
        for (var i = 0; i < containers.Count; i++)
        {
            if (IsBad(containers[i].Security.SeLinuxOptions, allowedTypes))
            {
                (badContainers ??= []).Add(containers[i].Name);
            }
        }

        var setters = Setters.Describe(IsBad(pod.PodSecurity.SeLinuxOptions, allowedTypes), badContainers);
        if (setters is null)
        {
            return null;
        }

        var all = pod.Containers.Select(c => c.Security.SeLinuxOptions).Prepend(pod.PodSecurity.SeLinuxOptions).OfType<SeLinuxSettings>().ToList();
        var problems = new List<string>(3);
        var badTypes = CheckText.SortedSet(all.Select(o => o.Type).Where(type => !allowedTypes.Contains(type)));
        if (badTypes.Count > 0)
        {
            problems.Add($"{CheckText.Pluralize("type", "types", badTypes.Count)} {CheckText.JoinQuote(badTypes)}");
        }

        if (all.Exists(o => o.User.Length > 0))
        {
            problems.Add("user may not be set");
        }

        if (all.Exists(o => o.Role.Length > 0))
        {
            problems.Add("role may not be set");
        }

        return new CheckFailure("seLinuxOptions", $"{setters} set forbidden securityContext.seLinuxOptions: {string.Join("; ", problems)}");
    }
}
