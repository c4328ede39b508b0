using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Restricted: containers must run as non-root: <c>runAsNonRoot: true</c> on the pod (and not false on
/// any container) or on every container. From v1.35 a pod in its own user namespace is exempt, because
/// root inside it is unprivileged on the node.
/// </summary>
internal static class RunAsNonRootCheck
{
    public static PodSecurityCheck Definition { get; } = new("runAsNonRoot", PodSecurityLevel.Restricted,
        Relaxations.UserNamespaceExemptFromV135(0, Check));

    private static CheckFailure? Check(PodSecurityInput pod) => RequiredSetting.Check(
        pod,
        static settings => settings.RunAsNonRoot switch
        {
            null => SettingState.Unset,
            true => SettingState.Allowed,
            false => SettingState.Forbidden,
        },
        "runAsNonRoot != true",
        static (_, setters) => $"{setters} must not set securityContext.runAsNonRoot=false",
        "securityContext.runAsNonRoot=true");
}
