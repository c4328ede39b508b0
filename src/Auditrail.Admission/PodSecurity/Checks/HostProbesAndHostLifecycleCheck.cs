namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Baseline (v1.34+): a probe or lifecycle handler with a <c>host</c> makes the kubelet connect to an
/// arbitrary address on the pod's behalf; httpGet and tcpSocket hosts must be unset or empty.
/// </summary>
internal static class HostProbesAndHostLifecycleCheck
{
    public static PodSecurityCheck Definition { get; } = new("hostProbesAndHostLifecycle", PodSecurityLevel.Baseline, [new(34, pod =>
    {
        var bad = Setters.Containers(pod, static c => c.ProbeAndLifecycleHosts.Count > 0);
        if (bad is null)
        {
            return null;
        }

        // Upstream collects both the containers and the hosts in sets, so each is sorted and listed once.
        var containers = CheckText.SortedSet(bad);
        var hosts = CheckText.SortedSet(pod.Containers.SelectMany(c => c.ProbeAndLifecycleHosts));
        return new CheckFailure("probe or lifecycle host",
            $"{CheckText.Containers(containers)} {CheckText.Pluralize("uses", "use", containers.Count)} "
            + $"{CheckText.Pluralize("probe or lifecycle host", "probe or lifecycle hosts", hosts.Count)} {CheckText.JoinQuote(hosts)}");
    })]);
}
