namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Restricted (v1.8+): privilege escalation (set-user-ID binaries, file capabilities) must be turned off
/// with <c>allowPrivilegeEscalation: false</c> on every container; unset counts as allowed escalation.
/// Windows pods are exempt from v1.25.
/// </summary>
internal static class AllowPrivilegeEscalationCheck
{
    public static PodSecurityCheck Definition { get; } = new("allowPrivilegeEscalation", PodSecurityLevel.Restricted,
        Relaxations.LinuxOnlyFromV125(8, Check));

    private static CheckFailure? Check(Input.PodSecurityInput pod)
    {
        var bad = Setters.Containers(pod, static c => c.Security.AllowPrivilegeEscalation != false);
        return bad is null
            ? null
            : new CheckFailure("allowPrivilegeEscalation != false", $"{CheckText.Containers(bad)} must set securityContext.allowPrivilegeEscalation=false");
    }
}
