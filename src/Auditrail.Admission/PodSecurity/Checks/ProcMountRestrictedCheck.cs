namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Restricted (v1.35+): only the Default /proc mount, even for pods in a user namespace. It replaces
/// the relaxed baseline <c>procMount</c> check at the restricted level.
/// </summary>
internal static class ProcMountRestrictedCheck
{
    public static PodSecurityCheck Definition { get; } = new("procMount_restricted", PodSecurityLevel.Restricted,
        [new(35, ProcMountCheck.Strict, [ProcMountCheck.Id])]);
}
