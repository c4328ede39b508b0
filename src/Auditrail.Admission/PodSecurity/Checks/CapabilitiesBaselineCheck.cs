namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Baseline: adding capabilities beyond the container runtime's default set (NET_RAW included) must be
/// disallowed. Replaced by <c>capabilities_restricted</c> at restricted from v1.22.
/// </summary>
internal static class CapabilitiesBaselineCheck
{
    public const string Id = "capabilities_baseline";

    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP",
        "SETUID", "SYS_CHROOT",
    };

    private static bool AddsNonDefault(IReadOnlyList<string> added)
    {
        for (var i = 0; i < added.Count; i++)
        {
            if (!Allowed.Contains(added[i]))
            {
                return true;
            }
        }

        return false;
    }

    public static PodSecurityCheck Definition { get; } = new(Id, PodSecurityLevel.Baseline, [new(0, pod =>
    {
        var bad = Setters.Containers(pod, static c => AddsNonDefault(c.Security.Capabilities?.Add ?? []));
        if (bad is null)
        {
            return null;
        }

        var added = CheckText.SortedSet(pod.Containers.SelectMany(c => c.Security.Capabilities?.Add ?? []).Where(cap => !Allowed.Contains(cap)));
        return new CheckFailure("non-default capabilities",
            $"{CheckText.Containers(bad)} must not include {CheckText.JoinQuote(added)} in securityContext.capabilities.add");
    })]);
}
