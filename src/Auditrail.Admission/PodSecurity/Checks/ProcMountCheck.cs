using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Baseline: the default /proc masks reduce the attack surface; <c>securityContext.procMount</c> must be
/// unset or <c>Default</c>. From v1.35 a pod in its own user namespace (<c>hostUsers: false</c>) may
/// unmask /proc, since the user namespace already isolates it; restricted keeps the strict rule through
/// <c>procMount_restricted</c>.
/// </summary>
internal static class ProcMountCheck
{
    public const string Id = "procMount";

    public static PodSecurityCheck Definition { get; } = new(Id, PodSecurityLevel.Baseline, Relaxations.UserNamespaceExemptFromV135(0, Strict));

    /// <summary>Any procMount other than Default is forbidden.</summary>
    public static CheckFailure? Strict(PodSecurityInput pod)
    {
        var bad = Setters.Containers(pod, static c => c.Security.ProcMount is { } mount && mount != "Default");
        if (bad is null)
        {
            return null;
        }

        var types = CheckText.SortedSet(pod.Containers.Select(c => c.Security.ProcMount).OfType<string>().Where(mount => mount != "Default"));
        return new CheckFailure("procMount", $"{CheckText.Containers(bad)} must not set securityContext.procMount to {CheckText.JoinQuote(types)}");
    }
}
