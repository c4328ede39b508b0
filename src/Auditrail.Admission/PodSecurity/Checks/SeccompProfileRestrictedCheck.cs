using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Restricted (v1.19+): a seccomp profile must be set, to RuntimeDefault or Localhost, on the pod or on
/// every container. Windows pods (<c>spec.os.name: windows</c>) are exempt from v1.25, as Windows has no seccomp.
/// </summary>
internal static class SeccompProfileRestrictedCheck
{
    public static PodSecurityCheck Definition { get; } = new("seccompProfile_restricted", PodSecurityLevel.Restricted,
        Relaxations.LinuxOnlyFromV125(19, Check, [SeccompProfileBaselineCheck.Id]));

    private static CheckFailure? Check(PodSecurityInput pod) => RequiredSetting.Check(
        pod,
        static settings => settings.SeccompProfileType switch
        {
            null => SettingState.Unset,
            var type when SeccompProfileBaselineCheck.IsValidType(type) => SettingState.Allowed,
            _ => SettingState.Forbidden,
        },
        "seccompProfile",
        static (pod, setters) => $"{setters} must not set securityContext.seccompProfile.type to {SeccompProfileBaselineCheck.BadTypes(pod)}",
        "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
}
