namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>The two ways later policy versions relax an existing check, as revisions over the original.</summary>
internal static class Relaxations
{
    /// <summary>
    /// From v1.25, restricted exempts pods that declare <c>spec.os.name: windows</c> from checks of
    /// Linux-only settings (the API refuses those settings on Windows pods, so requiring them would
    /// make restricted unreachable for Windows).
    /// </summary>
    public static VersionedCheck[] LinuxOnlyFromV125(int sinceMinor, CheckPod check, IReadOnlyList<string>? overrides = null) =>
    [
        new(sinceMinor, check, overrides),
        new(25, pod => pod.IsWindows ? null : check(pod), overrides),
    ];

    /// <summary>
    /// From v1.35, pods in their own user namespace (<c>hostUsers: false</c>) are exempt: root and an
    /// unmasked /proc inside a user namespace map to nothing privileged on the node (KEP-127).
    /// </summary>
    public static VersionedCheck[] UserNamespaceExemptFromV135(int sinceMinor, CheckPod check) =>
    [
        new(sinceMinor, check),
        new(35, pod => pod.InUserNamespace ? null : check(pod)),
    ];
}
