namespace Auditrail.Admission.PodSecurity.Input;

/// <summary>
/// A field the checks read that had the wrong JSON type (the apiserver's decoder would have refused the
/// object). <see cref="Path"/> is written like the apiserver's field paths: <c>spec.containers[0].securityContext.privileged</c>.
/// </summary>
public sealed record PodSecurityInputError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// The parts of a pod (or pod template) the Pod Security checks read, decoded once so that enforce,
/// audit and warn evaluations of one request share the work. Absent and JSON null both mean "not set",
/// as they do for the apiserver's Go types; a value of the wrong type is left unset and recorded in
/// <see cref="Errors"/>, which makes the pod fail evaluation at any level above privileged.
/// </summary>
internal sealed class PodSecurityInput
{
    /// <summary>Shared by every pod without annotations; never written to.</summary>
    public static readonly Dictionary<string, string> NoAnnotations = new(StringComparer.Ordinal);

    /// <summary>A concrete dictionary so that the AppArmor check enumerates it without allocating.</summary>
    public Dictionary<string, string> Annotations { get; init; } = NoAnnotations;

    public bool HostNetwork { get; init; }

    public bool HostPid { get; init; }

    public bool HostIpc { get; init; }

    /// <summary><c>spec.hostUsers</c>; false means the pod runs in its own user namespace.</summary>
    public bool? HostUsers { get; init; }

    /// <summary><c>spec.os.name</c>.</summary>
    public string? OsName { get; init; }

    public string? RuntimeClassName { get; init; }

    /// <summary>The pod-level <c>spec.securityContext</c> fields the checks read.</summary>
    public SecuritySettings PodSecurity { get; init; } = SecuritySettings.None;

    /// <summary><c>spec.securityContext.sysctls[*].name</c>, in order.</summary>
    public IReadOnlyList<string> Sysctls { get; init; } = [];

    /// <summary>Init containers, then containers, then ephemeral containers: the order upstream visits them in.</summary>
    public IReadOnlyList<ContainerInput> Containers { get; init; } = [];

    public IReadOnlyList<VolumeInput> Volumes { get; init; } = [];

    public IReadOnlyList<PodSecurityInputError> Errors { get; init; } = [];

    /// <summary>True for a pod that declares it runs on Windows, which restricted relaxes some Linux-only checks for from v1.25.</summary>
    public bool IsWindows => OsName == "windows";

    /// <summary>True when the pod runs in a user namespace (<c>hostUsers: false</c>), which relaxes some checks from v1.35.</summary>
    public bool InUserNamespace => HostUsers == false;
}

/// <summary>
/// The security settings shared by the pod-level and container-level <c>securityContext</c>. Profile
/// types are null when the profile object is not set, and empty when it is set without a type (which
/// the profile checks treat as a bad value, as upstream does).
/// </summary>
internal sealed record SecuritySettings
{
    public static readonly SecuritySettings None = new();

    public bool? RunAsNonRoot { get; init; }

    public long? RunAsUser { get; init; }

    public string? SeccompProfileType { get; init; }

    public string? AppArmorProfileType { get; init; }

    public SeLinuxSettings? SeLinuxOptions { get; init; }

    /// <summary><c>windowsOptions.hostProcess</c>.</summary>
    public bool? HostProcess { get; init; }

    // Container-only fields; never set on the pod level.
    public bool? Privileged { get; init; }

    public bool? AllowPrivilegeEscalation { get; init; }

    public string? ProcMount { get; init; }

    public CapabilitySettings? Capabilities { get; init; }
}

internal sealed record SeLinuxSettings(string Type, string User, string Role);

internal sealed record CapabilitySettings(IReadOnlyList<string> Add, IReadOnlyList<string> Drop);

/// <summary>One container of any kind, with the fields the checks read.</summary>
internal sealed record ContainerInput(string Name)
{
    public SecuritySettings Security { get; init; } = SecuritySettings.None;

    /// <summary>Every non-zero <c>ports[*].hostPort</c>.</summary>
    public IReadOnlyList<int> HostPorts { get; init; } = [];

    /// <summary>Every non-empty <c>host</c> of an httpGet or tcpSocket probe or lifecycle handler.</summary>
    public IReadOnlyList<string> ProbeAndLifecycleHosts { get; init; } = [];
}

/// <summary>
/// One volume: its name and the source fields it sets (normally exactly one; the checks look at each, as
/// upstream's nil checks do). A volume without any source counts as emptyDir, because the apiserver
/// defaults it to one before admission runs.
/// </summary>
internal sealed record VolumeInput(string Name, IReadOnlyList<string> Sources)
{
    public bool IsHostPath => Sources.Contains("hostPath");
}
