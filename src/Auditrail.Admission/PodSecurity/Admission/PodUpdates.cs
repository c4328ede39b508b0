using System.Text.Json;

namespace Auditrail.Admission.PodSecurity;

/// <summary>
/// Upstream's test for whether a pod UPDATE can change the Pod Security outcome. Pod validation lets
/// an existing pod change few of the fields the checks read, so upstream re-evaluates only when the
/// number of containers or init containers differs, a container's image or its per-container seccomp
/// annotation changes, or an ephemeral container is added or changed (through the ephemeralcontainers
/// subresource). Any other update (labels, other annotations, tolerations, activeDeadlineSeconds) is
/// allowed without evaluation, so a namespace that tightens its policy does not block metadata
/// updates of pods that already run.
/// </summary>
internal static class PodUpdates
{
    private const string SeccompContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/";

    public static bool IsSignificant(JsonElement pod, JsonElement oldPod)
    {
        // Anything that cannot be compared is evaluated: the checks report what is malformed.
        if (pod.ValueKind != JsonValueKind.Object || oldPod.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        var annotations = Annotations(pod);
        var oldAnnotations = Annotations(oldPod);
        var spec = Child(pod, "spec");
        var oldSpec = Child(oldPod, "spec");
        foreach (var list in (ReadOnlySpan<string>)["containers", "initContainers"])
        {
            var containers = Items(spec, list);
            var oldContainers = Items(oldSpec, list);
            if (containers is null || oldContainers is null || containers.Count != oldContainers.Count)
            {
                return true;
            }

            for (var i = 0; i < containers.Count; i++)
            {
                if (ContainerChanged(containers[i], oldContainers[i], annotations, oldAnnotations))
                {
                    return true;
                }
            }
        }

        var ephemeral = Items(spec, "ephemeralContainers");
        var oldEphemeral = Items(oldSpec, "ephemeralContainers");
        if (ephemeral is null || oldEphemeral is null)
        {
            return true;
        }

        foreach (var container in ephemeral)
        {
            var name = Text(container, "name");
            var old = oldEphemeral.FindIndex(c => Text(c, "name") == name);
            if (old < 0 || ContainerChanged(container, oldEphemeral[old], annotations, oldAnnotations))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainerChanged(JsonElement container, JsonElement old, JsonElement annotations, JsonElement oldAnnotations)
    {
        if (Text(container, "image") != Text(old, "image"))
        {
            return true;
        }

        var key = SeccompContainerAnnotationPrefix + Text(container, "name");
        return Text(annotations, key) != Text(oldAnnotations, key);
    }

    private static JsonElement Annotations(JsonElement pod) => Child(Child(pod, "metadata"), "annotations");

    private static JsonElement Child(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? value : default;

    /// <summary>The items of an array field (empty when absent or null); null when the field is not an array or holds non-objects.</summary>
    private static List<JsonElement>? Items(JsonElement spec, string name)
    {
        var value = Child(spec, name);
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var items = new List<JsonElement>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            items.Add(item);
        }

        return items;
    }

    /// <summary>A string field's value; "" when absent, and a marker for other kinds so that a changed type counts as a change.</summary>
    private static string Text(JsonElement obj, string name)
    {
        var value = Child(obj, name);
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Undefined or JsonValueKind.Null => "",
            _ => "\0" + value.GetRawText(),
        };
    }
}
