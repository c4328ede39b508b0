namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>Baseline: sharing the host's network, PID or IPC namespace must be disallowed.</summary>
internal static class HostNamespacesCheck
{
    public static PodSecurityCheck Definition { get; } = new("hostNamespaces", PodSecurityLevel.Baseline, [new(0, pod =>
    {
        if (!pod.HostNetwork && !pod.HostPid && !pod.HostIpc)
        {
            return null;
        }

        var shared = new List<string>(3);
        if (pod.HostNetwork)
        {
            shared.Add("hostNetwork=true");
        }

        if (pod.HostPid)
        {
            shared.Add("hostPID=true");
        }

        if (pod.HostIpc)
        {
            shared.Add("hostIPC=true");
        }

        return new CheckFailure("host namespaces", string.Join(", ", shared));
    })]);
}
