using System.Globalization;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>Baseline: host ports must be disallowed entirely (<c>ports[*].hostPort</c> unset or 0), on every kind of container.</summary>
internal static class HostPortsCheck
{
    public static PodSecurityCheck Definition { get; } = new("hostPorts", PodSecurityLevel.Baseline, [new(0, pod =>
    {
        var bad = Setters.Containers(pod, static c => c.HostPorts.Count > 0);
        if (bad is null)
        {
            return null;
        }

        // Upstream keeps the ports in a string set, so they are listed in string order ("10" before "9").
        var ports = CheckText.SortedSet(pod.Containers.SelectMany(c => c.HostPorts).Select(p => p.ToString(CultureInfo.InvariantCulture)));
        return new CheckFailure("hostPort",
            $"{CheckText.Containers(bad)} {CheckText.Pluralize("uses", "use", bad.Count)} {CheckText.Pluralize("hostPort", "hostPorts", ports.Count)} {string.Join(", ", ports)}");
    })]);
}
