namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>Baseline: hostPath volumes expose the node's filesystem. Replaced by <c>restrictedVolumes</c> at restricted.</summary>
internal static class HostPathVolumesCheck
{
    public const string Id = "hostPathVolumes";

    public static PodSecurityCheck Definition { get; } = new(Id, PodSecurityLevel.Baseline, [new(0, pod =>
    {
        List<string>? names = null;
        foreach (var volume in pod.Volumes)
        {
            if (volume.IsHostPath)
            {
                (names ??= []).Add(volume.Name);
            }
        }

        return names is null
            ? null
            : new CheckFailure("hostPath volumes", $"{CheckText.Pluralize("volume", "volumes", names.Count)} {CheckText.JoinQuote(names)}");
    })]);
}
