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
    /// <param name="explicitDetail">The detail for explicit bad values, given the pod and who set them.</param>
    /// <param name="requirement">What the pod or containers must set, e.g. <c>securityContext.runAsNonRoot=true</c>.</param>
    public static CheckFailure? Check(
        PodSecurityInput pod,
        Func<SecuritySettings, SettingState> judge,
        string reason,
        Func<PodSecurityInput, string, string> explicitDetail,
        string requirement)
    {
        // One pass over the containers, collecting names only when something is wrong (the common case allocates nothing).
        List<string>? explicitlyBad = null;
        List<string>? implicitlyBad = null;
        var containers = pod.Containers;
        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i];
            switch (judge(container.Security))
            {
                case SettingState.Forbidden:
                    (explicitlyBad ??= []).Add(container.Name);
                    break;
                case SettingState.Unset:
                    (implicitlyBad ??= []).Add(container.Name);
                    break;
            }
        }

        var podState = judge(pod.PodSecurity);
        if (Setters.Describe(podState == SettingState.Forbidden, explicitlyBad) is { } setters)
        {
            return new CheckFailure(reason, explicitDetail(pod, setters));
        }

        // Containers that leave the setting unset inherit a good pod-level value.
        return podState == SettingState.Allowed || implicitlyBad is null
            ? null
            : new CheckFailure(reason, $"pod or {CheckText.Containers(implicitlyBad)} must set {requirement}");
    }
}
