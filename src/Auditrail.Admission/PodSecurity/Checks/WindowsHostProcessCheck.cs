namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>Baseline: Windows HostProcess containers have privileged access to the host and must be disallowed.</summary>
internal static class WindowsHostProcessCheck
{
    public static PodSecurityCheck Definition { get; } = new("windowsHostProcess", PodSecurityLevel.Baseline, [new(0, pod =>
    {
        var setters = Setters.Describe(pod.PodSecurity.HostProcess == true, Setters.Containers(pod, static c => c.Security.HostProcess == true));
        return setters is null ? null : new CheckFailure("hostProcess", $"{setters} must not set securityContext.windowsOptions.hostProcess=true");
    })]);
}
