namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Every check, expanded into the list each level runs at each policy version, as upstream's registry
/// does: for each version the newest revision of each check at or below it; at restricted, the baseline
/// checks minus those a restricted revision of that version overrides, then the restricted checks.
/// Checks run in id order, baseline ids first, so messages list reasons in upstream's order.
/// </summary>
internal static class CheckRegistry
{
    public static IReadOnlyList<PodSecurityCheck> All { get; } =
    [
        AppArmorProfileCheck.Definition,
        CapabilitiesBaselineCheck.Definition,
        HostNamespacesCheck.Definition,
        HostPathVolumesCheck.Definition,
        HostPortsCheck.Definition,
        HostProbesAndHostLifecycleCheck.Definition,
        PrivilegedCheck.Definition,
        ProcMountCheck.Definition,
        SeLinuxOptionsCheck.Definition,
        SeccompProfileBaselineCheck.Definition,
        SysctlsCheck.Definition,
        WindowsHostProcessCheck.Definition,
        AllowPrivilegeEscalationCheck.Definition,
        CapabilitiesRestrictedCheck.Definition,
        ProcMountRestrictedCheck.Definition,
        RestrictedVolumesCheck.Definition,
        RunAsNonRootCheck.Definition,
        RunAsUserCheck.Definition,
        SeccompProfileRestrictedCheck.Definition,
    ];

    /// <summary>The newest policy version any check has a revision for; newer versions and <c>latest</c> evaluate as this one.</summary>
    public static int NewestMinor { get; } = All.Max(check => check.Versions[^1].MinimumMinor);

    private static readonly (string Id, CheckPod Evaluate)[][] BaselineByMinor = Expand(PodSecurityLevel.Baseline);

    private static readonly (string Id, CheckPod Evaluate)[][] RestrictedByMinor = Expand(PodSecurityLevel.Restricted);

    /// <summary>The checks to run, in order; empty for privileged.</summary>
    public static ReadOnlySpan<(string Id, CheckPod Evaluate)> For(PodSecurityLevel level, PodSecurityVersion version)
    {
        var minor = Math.Min(version.Minor, NewestMinor);
        return level switch
        {
            PodSecurityLevel.Baseline => BaselineByMinor[minor],
            PodSecurityLevel.Restricted => RestrictedByMinor[minor],
            _ => [],
        };
    }

    private static (string Id, CheckPod Evaluate)[][] Expand(PodSecurityLevel level)
    {
        var ordered = All.OrderBy(check => check.Level).ThenBy(check => check.Id, StringComparer.Ordinal).ToList();
        var result = new (string, CheckPod)[NewestMinor + 1][];
        for (var minor = 0; minor <= NewestMinor; minor++)
        {
            var active = ordered
                .Select(check => (check, revision: check.Versions.LastOrDefault(v => v.MinimumMinor <= minor)))
                .Where(pair => pair.revision is not null && pair.check.Level <= level)
                .ToList();
            var overridden = level == PodSecurityLevel.Restricted
                ? active.Where(pair => pair.check.Level == PodSecurityLevel.Restricted).SelectMany(pair => pair.revision!.Overrides ?? []).ToHashSet(StringComparer.Ordinal)
                : [];
            result[minor] = [.. active.Where(pair => !overridden.Contains(pair.check.Id)).Select(pair => (pair.check.Id, pair.revision!.Evaluate))];
        }

        return result;
    }
}
