namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Restricted: only volume types that cannot reach the node's or other tenants' storage are allowed:
/// configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret.
/// It replaces <c>hostPathVolumes</c> at restricted. Upstream amended its single v1.0 revision to allow
/// image volumes rather than adding a revision, so image volumes pass at every version, as they do here.
/// </summary>
internal static class RestrictedVolumesCheck
{
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
    };

    /// <summary>The restricted sources in the order upstream tests them, which decides the type a volume is reported under.</summary>
    private static readonly string[] ReportOrder =
    [
        "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder",
        "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
        "scaleIO", "storageos",
    ];

    public static PodSecurityCheck Definition { get; } = new("restrictedVolumes", PodSecurityLevel.Restricted,
        [new(0, Check, [HostPathVolumesCheck.Id])]);

    private static bool HasAllowedSource(IReadOnlyList<string> sources)
    {
        for (var i = 0; i < sources.Count; i++)
        {
            if (Allowed.Contains(sources[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static CheckFailure? Check(Input.PodSecurityInput pod)
    {
        List<string>? badVolumes = null;
        SortedSet<string>? badTypes = null;
        var volumes = pod.Volumes;
        for (var i = 0; i < volumes.Count; i++)
        {
            // No source at all is emptyDir after defaulting; any allowed source makes the volume allowed, as upstream's switch does.
            var volume = volumes[i];
            if (volume.Sources.Count == 0 || HasAllowedSource(volume.Sources))
            {
                continue;
            }

            (badVolumes ??= []).Add(volume.Name);
            (badTypes ??= new SortedSet<string>(StringComparer.Ordinal)).Add(Array.Find(ReportOrder, volume.Sources.Contains) ?? "unknown");
        }

        return badVolumes is null
            ? null
            : new CheckFailure("restricted volume types",
                $"{CheckText.Pluralize("volume", "volumes", badVolumes.Count)} {CheckText.JoinQuote(badVolumes)} {CheckText.Pluralize("uses", "use", badVolumes.Count)} "
                + $"{CheckText.Pluralize("restricted volume type", "restricted volume types", badTypes!.Count)} {CheckText.JoinQuote(badTypes)}");
    }
}
