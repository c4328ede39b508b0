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

        var podSecurityContext = Object(spec, "securityContext", specPath);
        var contextPath = Child(specPath, "securityContext");
        var os = Object(spec, "os", specPath);
        return new PodSecurityInput
        {
            Annotations = annotations,
            HostNetwork = Bool(spec, "hostNetwork", specPath) ?? false,
            HostPid = Bool(spec, "hostPID", specPath) ?? false,
            HostIpc = Bool(spec, "hostIPC", specPath) ?? false,
            HostUsers = Bool(spec, "hostUsers", specPath),
            OsName = os is { } osValue ? String(osValue, "name", Child(specPath, "os")) : null,
            RuntimeClassName = String(spec, "runtimeClassName", specPath),
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

        if (Object(metadata, "annotations", metadataPath) is not { } annotations)
        {
            return PodSecurityInput.NoAnnotations;
        }

        var path = Child(metadataPath, "annotations");
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
        var seLinux = Object(context, "seLinuxOptions", path);
        var windows = Object(context, "windowsOptions", path);
        var settings = new SecuritySettings
        {
            RunAsNonRoot = Bool(context, "runAsNonRoot", path),
            RunAsUser = Integer(context, "runAsUser", path, long.MinValue, long.MaxValue),
            SeccompProfileType = ProfileType(context, "seccompProfile", path),
            AppArmorProfileType = ProfileType(context, "appArmorProfile", path),
            SeLinuxOptions = seLinux is { } options
                ? new SeLinuxSettings(
                    String(options, "type", Child(path, "seLinuxOptions")) ?? "",
                    String(options, "user", Child(path, "seLinuxOptions")) ?? "",
                    String(options, "role", Child(path, "seLinuxOptions")) ?? "")
                : null,
            HostProcess = windows is { } windowsOptions ? Bool(windowsOptions, "hostProcess", Child(path, "windowsOptions")) : null,
        };
        if (!containerLevel)
        {
            return settings;
        }

        var capabilities = Object(context, "capabilities", path);
        return settings with
        {
            Privileged = Bool(context, "privileged", path),
            AllowPrivilegeEscalation = Bool(context, "allowPrivilegeEscalation", path),
            ProcMount = String(context, "procMount", path),
            Capabilities = capabilities is { } caps
                ? new CapabilitySettings(Strings(caps, "add", Child(path, "capabilities")), Strings(caps, "drop", Child(path, "capabilities")))
                : null,
        };
    }

    /// <summary>The profile's type: null when the profile is not set, "" when it is set without a type.</summary>
    private string? ProfileType(JsonElement context, string name, string path)
    {
        var profile = Object(context, name, path);
        return profile is { } value ? String(value, "type", Child(path, name)) ?? "" : null;
    }

    private List<string> ReadSysctls(JsonElement context, string path)
    {
        var names = new List<string>();
        foreach (var (sysctl, itemPath) in ObjectItems(context, "sysctls", path))
        {
            names.Add(String(sysctl, "name", itemPath) ?? "");
        }

        return names;
    }

    private List<ContainerInput> ReadAllContainers(JsonElement spec, string specPath)
    {
        var containers = new List<ContainerInput>();
        foreach (var list in (ReadOnlySpan<string>)["initContainers", "containers", "ephemeralContainers"])
        {
            foreach (var (container, itemPath) in ObjectItems(spec, list, specPath))
            {
                containers.Add(ReadContainer(container, itemPath));
            }
        }

        return containers;
    }

    private ContainerInput ReadContainer(JsonElement container, string path)
    {
        var context = Object(container, "securityContext", path);
        return new ContainerInput(String(container, "name", path) ?? "")
        {
            Security = context is { } value ? ReadSecurityContext(value, Child(path, "securityContext"), containerLevel: true) : SecuritySettings.None,
            HostPorts = ReadHostPorts(container, path),
            ProbeAndLifecycleHosts = ReadHandlerHosts(container, path),
        };
    }

    private List<int> ReadHostPorts(JsonElement container, string path)
    {
        List<int>? ports = null;
        foreach (var (port, itemPath) in ObjectItems(container, "ports", path))
        {
            if (Integer(port, "hostPort", itemPath, int.MinValue, int.MaxValue) is { } hostPort and not 0)
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
        foreach (var probe in (ReadOnlySpan<string>)["livenessProbe", "readinessProbe", "startupProbe"])
        {
            if (Object(container, probe, path) is { } handler)
            {
                AddHandlerHosts(handler, Child(path, probe), ref hosts);
            }
        }

        if (Object(container, "lifecycle", path) is { } lifecycle)
        {
            foreach (var hook in (ReadOnlySpan<string>)["postStart", "preStop"])
            {
                if (Object(lifecycle, hook, Child(path, "lifecycle")) is { } handler)
                {
                    AddHandlerHosts(handler, Child(Child(path, "lifecycle"), hook), ref hosts);
                }
            }
        }

        return hosts ?? [];
    }

    private void AddHandlerHosts(JsonElement handler, string path, ref List<string>? hosts)
    {
        foreach (var action in (ReadOnlySpan<string>)["httpGet", "tcpSocket"])
        {
            if (Object(handler, action, path) is { } target && String(target, "host", Child(path, action)) is { Length: > 0 } host)
            {
                (hosts ??= []).Add(host);
            }
        }
    }

    private List<VolumeInput> ReadVolumes(JsonElement spec, string specPath)
    {
        var volumes = new List<VolumeInput>();
        foreach (var (volume, itemPath) in ObjectItems(spec, "volumes", specPath))
        {
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

            volumes.Add(new VolumeInput(String(volume, "name", itemPath) ?? "", sources));
        }

        return volumes;
    }

    // ---- typed access: absent and null are "unset"; any other wrong kind is an error and also "unset" ----

    private JsonElement? Object(JsonElement obj, string name, string path) => Field(obj, name, path, JsonValueKind.Object, "expected an object");

    private JsonElement? Array(JsonElement obj, string name, string path) => Field(obj, name, path, JsonValueKind.Array, "expected an array");

    private string? String(JsonElement obj, string name, string path) => Field(obj, name, path, JsonValueKind.String, "expected a string")?.GetString();

    /// <summary>A field of one JSON kind; null when absent or null, and an error (then null) when of another kind.</summary>
    private JsonElement? Field(JsonElement obj, string name, string path, JsonValueKind kind, string expectation)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != kind)
        {
            Error($"{path}.{name}", expectation, value);
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

    private bool? Bool(JsonElement obj, string name, string path)
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
                Error($"{path}.{name}", "expected a boolean", value);
                return null;
        }
    }

    /// <summary>An integer within [min, max]; a fraction or an out-of-range number is an error, as the Go decoder refuses both.</summary>
    private long? Integer(JsonElement obj, string name, string path, long min, long max)
    {
        if (Field(obj, name, path, JsonValueKind.Number, "expected an integer") is not { } value)
        {
            return null;
        }

        if (!value.TryGetInt64(out var number) || number < min || number > max)
        {
            Error($"{path}.{name}", $"expected an integer between {min} and {max}, found {value.GetRawText()}", default);
            return null;
        }

        return number;
    }

    private List<string> Strings(JsonElement obj, string name, string path)
    {
        var result = new List<string>();
        if (Array(obj, name, path) is not { } array)
        {
            return result;
        }

        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                result.Add(item.GetString()!);
            }
            else
            {
                Error($"{path}.{name}[{index}]", "expected a string", item);
            }

            index++;
        }

        return result;
    }

    /// <summary>The object items of an array field with their paths; items of another kind are reported and skipped.</summary>
    private IEnumerable<(JsonElement Item, string Path)> ObjectItems(JsonElement obj, string name, string path)
    {
        if (Array(obj, name, path) is not { } array)
        {
            yield break;
        }

        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = Item(path, name, index);
            if (item.ValueKind == JsonValueKind.Object)
            {
                yield return (item, itemPath);
            }
            else
            {
                Error(itemPath, "expected an object", item);
            }

            index++;
        }
    }

    private string Child(string path, string name) => _tracePaths ? $"{path}.{name}" : "";

    private string Item(string path, string name, int index) => _tracePaths ? $"{path}.{name}[{index}]" : "";

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
