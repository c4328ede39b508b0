using System.Collections.Frozen;
using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// Baseline: only namespaced sysctls known to be safe may be set (<c>spec.securityContext.sysctls</c>,
/// the only place the API accepts them). The safe list grows with the policy version.
/// </summary>
internal static class SysctlsCheck
{
    private static readonly string[] SafeV10 =
    [
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ];

    private static readonly string[] SafeV127 = [.. SafeV10, "net.ipv4.ip_local_reserved_ports"];

    private static readonly string[] SafeV129 =
        [.. SafeV127, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];

    private static readonly string[] SafeV132 = [.. SafeV129, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

    private static readonly string[] SafeV137 = [.. SafeV132, "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"];

    public static PodSecurityCheck Definition { get; } = new("sysctls", PodSecurityLevel.Baseline,
    [
        Revision(0, SafeV10),
        Revision(27, SafeV127),
        Revision(29, SafeV129),
        Revision(32, SafeV132),
        Revision(37, SafeV137),
    ]);

    private static VersionedCheck Revision(int minor, string[] safe)
    {
        var allowed = safe.ToFrozenSet(StringComparer.Ordinal);
        return new VersionedCheck(minor, pod => Check(pod, allowed));
    }

    private static CheckFailure? Check(PodSecurityInput pod, FrozenSet<string> allowed)
    {
        List<string>? forbidden = null;
        var sysctls = pod.Sysctls;
        for (var i = 0; i < sysctls.Count; i++)
        {
            if (!allowed.Contains(sysctls[i]))
            {
                (forbidden ??= []).Add(sysctls[i]);
            }
        }

        return forbidden is null ? null : new CheckFailure("forbidden sysctls", string.Join(", ", forbidden));
    }
}
