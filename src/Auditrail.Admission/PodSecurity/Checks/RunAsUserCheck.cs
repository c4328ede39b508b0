namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>Restricted (v1.23+): <c>runAsUser: 0</c> is forbidden on the pod and every container; exempt in a user namespace from v1.35.</summary>
internal static class RunAsUserCheck
{
    public static PodSecurityCheck Definition { get; } = new("runAsUser", PodSecurityLevel.Restricted,
        Relaxations.UserNamespaceExemptFromV135(23, Check));

    private static CheckFailure? Check(Input.PodSecurityInput pod)
    {
        var setters = Setters.Describe(pod.PodSecurity.RunAsUser == 0, Setters.Containers(pod, static c => c.Security.RunAsUser == 0));
        return setters is null ? null : new CheckFailure("runAsUser=0", $"{setters} must not set runAsUser=0");
    }
}
