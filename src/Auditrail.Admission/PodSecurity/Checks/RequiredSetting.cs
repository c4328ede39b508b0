using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>How a pod-level or container-level setting stands against a check that requires it.</summary>
internal enum SettingState
{
    Unset,
    Allowed,
    Forbidden,
}

/// <summary>
/// The shape shared by restricted checks that require a setting either on the pod or on every
/// container (runAsNonRoot, seccompProfile): an explicit bad value anywhere is reported first; failing
/// that, every container that neither sets the value nor inherits a good pod-level one is named.
/// </summary>
internal static class RequiredSetting
{
    /// <param name="pod">The pod.</param>
    /// <param name="judge">Judges one securityContext (pod-level or a container's).</param>
    /// <param name="reason">The check's forbidden reason.</param>
    /// <param name="explicitDetail">The detail for explicit bad values, given who set them.</param>
    /// <param name="requirement">What the pod or containers must set, e.g. <c>securityContext.runAsNonRoot=true</c>.</param>
    public static CheckFailure? Check(
        PodSecurityInput pod,
        Func<SecuritySettings, SettingState> judge,
        string reason,
        Func<string, string> explicitDetail,
        string requirement)
    {
        var podState = judge(pod.PodSecurity);
        var explicitlyBad = Setters.Containers(pod, c => judge(c.Security) == SettingState.Forbidden);
        if (Setters.Describe(podState == SettingState.Forbidden, explicitlyBad) is { } setters)
        {
            return new CheckFailure(reason, explicitDetail(setters));
        }

        if (podState == SettingState.Allowed)
        {
            return null;
        }

        var implicitlyBad = Setters.Containers(pod, c => judge(c.Security) == SettingState.Unset);
        return implicitlyBad is null ? null : new CheckFailure(reason, $"pod or {CheckText.Containers(implicitlyBad)} must set {requirement}");
    }
}
