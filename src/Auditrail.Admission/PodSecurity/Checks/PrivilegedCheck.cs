namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>Baseline: privileged containers disable most isolation. <c>securityContext.privileged</c> must be unset or false.</summary>
internal static class PrivilegedCheck
{
    public static PodSecurityCheck Definition { get; } = new("privileged", PodSecurityLevel.Baseline, [new(0, pod =>
    {
        var bad = Setters.Containers(pod, static c => c.Security.Privileged == true);
        return bad is null ? null : new CheckFailure("privileged", $"{CheckText.Containers(bad)} must not set securityContext.privileged=true");
    })]);
}
