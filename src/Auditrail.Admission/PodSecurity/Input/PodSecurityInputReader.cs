using System.Text;
using System.Text.Json;

namespace Auditrail.Admission.PodSecurity.Input;

/// <summary>
/// Decodes a pod's metadata and spec (or a template's) from JSON into <see cref="PodSecurityInput"/>,
/// reading only the fields the checks need. It never throws on bad input: a field of the wrong type is
/// recorded with its path and treated as unset, so one bad field does not hide the rest of the pod.
/// </summary>
internal sealed class PodSecurityInputReader
{
    /// <summary>The volume source fields of core/v1 VolumeSource.</summary>
    private static readonly HashSet<string> VolumeSources = new(StringComparer.Ordinal)
    {
        "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
        "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap",
        "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos",
        "csi", "ephemeral", "image",
    };

    private static readonly byte[][] ContainerLists = ["initContainers"u8.ToArray(), "containers"u8.ToArray(), "ephemeralContainers"u8.ToArray()];
    private static readonly byte[][] Probes = ["livenessProbe"u8.ToArray(), "readinessProbe"u8.ToArray(), "startupProbe"u8.ToArray()];
    private static readonly byte[][] Hooks = ["postStart"u8.ToArray(), "preStop"u8.ToArray()];
    private static readonly byte[][] HandlerActions = ["httpGet"u8.ToArray(), "tcpSocket"u8.ToArray()];

    private readonly List<PodSecurityInputError> _errors = [];

    /// <summary>
    /// False on the first pass, which builds no path strings and only notes that something is wrong;
    /// a pod with errors is then read again with paths, so the common, well-formed pod costs no strings.
    /// </summary>
    private readonly bool _tracePaths;

    private bool _failed;

    private PodSecurityInputReader(bool tracePaths) => _tracePaths = tracePaths;

    /// <summary>
    /// Reads <paramref name="metadata"/> (may be undefined or null: no annotations) and
    /// <paramref name="spec"/>; the paths name where they sit in the request object, for error messages.
    /// </summary>
    public static PodSecurityInput Read(JsonElement metadata, string metadataPath, JsonElement spec, string specPath)
    {
        var fast = new PodSecurityInputReader(tracePaths: false);
        var pod = fast.ReadPod(metadata, metadataPath, spec, specPath);
        return fast._failed ? new PodSecurityInputReader(tracePaths: true).ReadPod(metadata, metadataPath, spec, specPath) : pod;
    }

    /// <summary>A pod that could not even be located in its object (for example a template that is not an object): only the error.</summary>
    public static PodSecurityInput Malformed(string path, string message) => new() { Errors = [new PodSecurityInputError(path, message)] };

    private PodSecurityInput ReadPod(JsonElement metadata, string metadataPath, JsonElement spec, string specPath)
    {
        var annotations = ReadAnnotations(metadata, metadataPath);

        // A missing spec decodes to an empty one (nothing to forbid); a spec of another type cannot be decoded.
        if (spec.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null || !IsObject(spec, specPath))
        {
            return new PodSecurityInput { Annotations = annotations, Errors = _errors };
        }

        var podSecurityContext = Object(spec, "securityContext"u8, specPath);
        var contextPath = Child(specPath, "securityContext"u8);
        var os = Object(spec, "os"u8, specPath);
        return new PodSecurityInput
        {
            Annotations = annotations,
            HostNetwork = Bool(spec, "hostNetwork"u8, specPath) ?? false,
            HostPid = Bool(spec, "hostPID"u8, specPath) ?? false,
            HostIpc = Bool(spec, "hostIPC"u8, specPath) ?? false,
            HostUsers = Bool(spec, "hostUsers"u8, specPath),
            OsName = os is { } osValue ? String(osValue, "name"u8, Child(specPath, "os"u8)) : null,
            RuntimeClassName = String(spec, "runtimeClassName"u8, specPath),
            PodSecurity = podSecurityContext is { } context ? ReadSecurityContext(context, contextPath, containerLevel: false) : SecuritySettings.None,
            Sysctls = podSecurityContext is { } sysctlContext ? ReadSysctls(sysctlContext, contextPath) : [],
            Containers = ReadAllContainers(spec, specPath),
            Volumes = ReadVolumes(spec, specPath),
            Errors = _errors,
        };
    }

    private Dictionary<string, string> ReadAnnotations(JsonElement metadata, string metadataPath)
    {
        if (metadata.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return PodSecurityInput.NoAnnotations;
        }

        if (!IsObject(metadata, metadataPath))
        {
            return PodSecurityInput.NoAnnotations;
        }

        if (Object(metadata, "annotations"u8, metadataPath) is not { } annotations)
        {
            return PodSecurityInput.NoAnnotations;
        }

        var path = Child(metadataPath, "annotations"u8);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var annotation in annotations.EnumerateObject())
        {
            switch (annotation.Value.ValueKind)
            {
                case JsonValueKind.String:
                    result[annotation.Name] = annotation.Value.GetString()!;
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    Error($"{path}[{annotation.Name}]", "expected a string", annotation.Value);
                    break;
            }
        }

        return result;
    }

    private SecuritySettings ReadSecurityContext(JsonElement context, string path, bool containerLevel)
    {
        var seLinux = Object(context, "seLinuxOptions"u8, path);
        var windows = Object(context, "windowsOptions"u8, path);

        // Privileged, allowPrivilegeEscalation, procMount and capabilities exist only on containers.
        var capabilities = containerLevel ? Object(context, "capabilities"u8, path) : null;
        return new SecuritySettings
        {
            RunAsNonRoot = Bool(context, "runAsNonRoot"u8, path),
            RunAsUser = Integer(context, "runAsUser"u8, path, long.MinValue, long.MaxValue),
            SeccompProfileType = ProfileType(context, "seccompProfile"u8, path),
            AppArmorProfileType = ProfileType(context, "appArmorProfile"u8, path),
            SeLinuxOptions = seLinux is { } options
                ? new SeLinuxSettings(
                    String(options, "type"u8, Child(path, "seLinuxOptions"u8)) ?? "",
                    String(options, "user"u8, Child(path, "seLinuxOptions"u8)) ?? "",
                    String(options, "role"u8, Child(path, "seLinuxOptions"u8)) ?? "")
                : null,
            HostProcess = windows is { } windowsOptions ? Bool(windowsOptions, "hostProcess"u8, Child(path, "windowsOptions"u8)) : null,
            Privileged = containerLevel ? Bool(context, "privileged"u8, path) : null,
            AllowPrivilegeEscalation = containerLevel ? Bool(context, "allowPrivilegeEscalation"u8, path) : null,
            ProcMount = containerLevel ? String(context, "procMount"u8, path) : null,
            Capabilities = capabilities is { } caps
                ? new CapabilitySettings(Strings(caps, "add"u8, Child(path, "capabilities"u8)), Strings(caps, "drop"u8, Child(path, "capabilities"u8)))
                : null,
        };
    }

    /// <summary>The profile's type: null when the profile is not set, "" when it is set without a type.</summary>
    private string? ProfileType(JsonElement context, ReadOnlySpan<byte> name, string path)
    {
        var profile = Object(context, name, path);
        return profile is { } value ? String(value, "type"u8, Child(path, name)) ?? "" : null;
    }

    private List<string> ReadSysctls(JsonElement context, string path)
    {
        var names = new List<string>();
        if (Array(context, "sysctls"u8, path) is { } items)
        {
            var index = 0;
            foreach (var sysctl in items.EnumerateArray())
            {
                if (ItemObject(sysctl, path, "sysctls"u8, index++) is { } itemPath)
                {
                    names.Add(String(sysctl, "name"u8, itemPath) ?? "");
                }
            }
        }

        return names;
    }

    private List<ContainerInput> ReadAllContainers(JsonElement spec, string specPath)
    {
        var containers = new List<ContainerInput>();
        foreach (var list in ContainerLists)
        {
            if (Array(spec, list, specPath) is { } items)
            {
                var index = 0;
                foreach (var container in items.EnumerateArray())
                {
                    if (ItemObject(container, specPath, list, index++) is { } itemPath)
                    {
                        containers.Add(ReadContainer(container, itemPath));
                    }
                }
            }
        }

        return containers;
    }

    private ContainerInput ReadContainer(JsonElement container, string path)
    {
        var context = Object(container, "securityContext"u8, path);
        return new ContainerInput(String(container, "name"u8, path) ?? "")
        {
            Security = context is { } value ? ReadSecurityContext(value, Child(path, "securityContext"u8), containerLevel: true) : SecuritySettings.None,
            HostPorts = ReadHostPorts(container, path),
            ProbeAndLifecycleHosts = ReadHandlerHosts(container, path),
        };
    }

    private List<int> ReadHostPorts(JsonElement container, string path)
    {
        List<int>? ports = null;
        if (Array(container, "ports"u8, path) is not { } items)
        {
            return [];
        }

        var index = 0;
        foreach (var port in items.EnumerateArray())
        {
            if (ItemObject(port, path, "ports"u8, index++) is { } itemPath
                && Integer(port, "hostPort"u8, itemPath, int.MinValue, int.MaxValue) is { } hostPort and not 0)
            {
                (ports ??= []).Add((int)hostPort);
            }
        }

        return ports ?? [];
    }

    /// <summary>The hosts named by the container's probes and lifecycle handlers (httpGet and the deprecated tcpSocket).</summary>
    private List<string> ReadHandlerHosts(JsonElement container, string path)
    {
        List<string>? hosts = null;
        foreach (var probe in Probes)
        {
            if (Object(container, probe, path) is { } handler)
            {
                AddHandlerHosts(handler, Child(path, probe), ref hosts);
            }
        }

        if (Object(container, "lifecycle"u8, path) is { } lifecycle)
        {
            foreach (var hook in Hooks)
            {
                if (Object(lifecycle, hook, Child(path, "lifecycle"u8)) is { } handler)
                {
                    AddHandlerHosts(handler, Child(Child(path, "lifecycle"u8), hook), ref hosts);
                }
            }
        }

        return hosts ?? [];
    }

    private void AddHandlerHosts(JsonElement handler, string path, ref List<string>? hosts)
    {
        foreach (var action in HandlerActions)
        {
            if (Object(handler, action, path) is { } target && String(target, "host"u8, Child(path, action)) is { Length: > 0 } host)
            {
                (hosts ??= []).Add(host);
            }
        }
    }

    private List<VolumeInput> ReadVolumes(JsonElement spec, string specPath)
    {
        var volumes = new List<VolumeInput>();
        if (Array(spec, "volumes"u8, specPath) is not { } items)
        {
            return volumes;
        }

        var index = 0;
        foreach (var volume in items.EnumerateArray())
        {
            if (ItemObject(volume, specPath, "volumes"u8, index++) is not { } itemPath)
            {
                continue;
            }

            var sources = new List<string>(1);
            foreach (var field in volume.EnumerateObject())
            {
                // A null source decodes to a nil pointer, and a field the API does not know is dropped by
                // the decoder, so neither counts; a volume left without a source is defaulted to emptyDir.
                if (field.Value.ValueKind != JsonValueKind.Null && VolumeSources.Contains(field.Name))
                {
                    sources.Add(field.Name);
                }
            }

            volumes.Add(new VolumeInput(String(volume, "name"u8, itemPath) ?? "", sources));
        }

        return volumes;
    }

    // ---- typed access: absent and null are "unset"; any other wrong kind is an error and also "unset" ----

    private JsonElement? Object(JsonElement obj, ReadOnlySpan<byte> name, string path) => Field(obj, name, path, JsonValueKind.Object, "expected an object");

    private JsonElement? Array(JsonElement obj, ReadOnlySpan<byte> name, string path) => Field(obj, name, path, JsonValueKind.Array, "expected an array");

    private string? String(JsonElement obj, ReadOnlySpan<byte> name, string path) => Field(obj, name, path, JsonValueKind.String, "expected a string")?.GetString();

    /// <summary>A field of one JSON kind; null when absent or null, and an error (then null) when of another kind.</summary>
    private JsonElement? Field(JsonElement obj, ReadOnlySpan<byte> name, string path, JsonValueKind kind, string expectation)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != kind)
        {
            Error(Child(path, name), expectation, value);
            return null;
        }

        return value;
    }

    private bool IsObject(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        Error(path, "expected an object", value);
        return false;
    }

    private bool? Bool(JsonElement obj, ReadOnlySpan<byte> name, string path)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null:
                return null;
            default:
                Error(Child(path, name), "expected a boolean", value);
                return null;
        }
    }

    /// <summary>An integer within [min, max]; a fraction or an out-of-range number is an error, as the Go decoder refuses both.</summary>
    private long? Integer(JsonElement obj, ReadOnlySpan<byte> name, string path, long min, long max)
    {
        if (Field(obj, name, path, JsonValueKind.Number, "expected an integer") is not { } value)
        {
            return null;
        }

        if (!value.TryGetInt64(out var number) || number < min || number > max)
        {
            Error(Child(path, name), $"expected an integer between {min} and {max}, found {value.GetRawText()}", default);
            return null;
        }

        return number;
    }

    private IReadOnlyList<string> Strings(JsonElement obj, ReadOnlySpan<byte> name, string path)
    {
        if (Array(obj, name, path) is not { } array)
        {
            return [];
        }

        var result = new List<string>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                result.Add(item.GetString()!);
            }
            else
            {
                Error($"{Child(path, name)}[{index}]", "expected a string", item);
            }

            index++;
        }

        return result;
    }

    /// <summary>The path of an array item that is an object (empty on the fast pass); null, with an error, for an item of another kind.</summary>
    private string? ItemObject(JsonElement item, string path, ReadOnlySpan<byte> name, int index)
    {
        var itemPath = Item(path, name, index);
        if (item.ValueKind == JsonValueKind.Object)
        {
            return itemPath;
        }

        Error(itemPath, "expected an object", item);
        return null;
    }

    private string Child(string path, ReadOnlySpan<byte> name) => _tracePaths ? $"{path}.{Encoding.UTF8.GetString(name)}" : "";

    private string Item(string path, ReadOnlySpan<byte> name, int index) => _tracePaths ? $"{path}.{Encoding.UTF8.GetString(name)}[{index}]" : "";

    private void Error(string path, string expectation, JsonElement found)
    {
        if (!_tracePaths)
        {
            _failed = true;
            return;
        }

        var message = found.ValueKind == JsonValueKind.Undefined ? expectation : $"{expectation}, found {Describe(found.ValueKind)}";
        _errors.Add(new PodSecurityInputError(path, message));
    }

    /// <summary>How an error message names what it found instead: "an array", "a string"…</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Undefined => "nothing",
        _ => "null",
    };
}
