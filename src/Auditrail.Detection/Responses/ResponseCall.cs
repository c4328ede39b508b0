using System.Text.Json;

namespace Auditrail.Detection.Responses;

/// <summary>
/// The one API request an action comes down to: method, path and (for patches) the merge-patch body. Planning
/// it before anything runs is what lets a dry run record exactly the call it would make, and lets an action
/// that does not fit its target (scaling a pod, cordoning a secret) be skipped with a reason.
/// </summary>
public sealed record ResponseCall(ResponseActionKind Kind, ResponseTarget Target, string Method, string Path, string? MergePatch)
{
    /// <summary>API group → version served for the objects responses touch (all GA, none deprecated).</summary>
    private static readonly Dictionary<string, string> GroupVersions = new(StringComparer.Ordinal)
    {
        [""] = "v1",
        ["apps"] = "v1",
        ["rbac.authorization.k8s.io"] = "v1",
    };

    /// <summary>The objects labels and annotations can be set on; each has a typed patch call in the executor.</summary>
    internal static readonly HashSet<(string Group, string Resource)> Labelable =
    [
        ("", "pods"),
        ("", "services"),
        ("", "serviceaccounts"),
        ("", "namespaces"),
        ("", "nodes"),
        ("apps", "deployments"),
        ("apps", "statefulsets"),
        ("apps", "replicasets"),
        ("apps", "daemonsets"),
        ("rbac.authorization.k8s.io", "roles"),
        ("rbac.authorization.k8s.io", "rolebindings"),
        ("rbac.authorization.k8s.io", "clusterroles"),
        ("rbac.authorization.k8s.io", "clusterrolebindings"),
    ];

    public override string ToString() => $"{Method} {Path}";

    public static ResponseCall? Plan(ResponseAction action, ResponseTarget target, out string? problem)
    {
        problem = null;
        var key = (target.Group, target.Resource);
        switch (action.Kind)
        {
            case ResponseActionKind.DeletePod when key == ("", "pods"):
                return new(action.Kind, target, "DELETE", PathOf(target), null);
            case ResponseActionKind.Label or ResponseActionKind.Annotate when Labelable.Contains(key):
                if (action.Values.Count == 0)
                {
                    problem = $"{Describe(action.Kind)} has nothing to set";
                    return null;
                }

                problem = action.Values.Select(v => MetadataKeys.Problem(action.Kind, v.Key, v.Value)).FirstOrDefault(p => p is not null);
                if (problem is not null)
                {
                    return null;
                }

                var field = action.Kind == ResponseActionKind.Label ? "labels" : "annotations";
                return new(action.Kind, target, "PATCH", PathOf(target), Json(w =>
                {
                    w.WriteStartObject("metadata");
                    w.WriteStartObject(field);
                    foreach (var (name, value) in action.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
                    {
                        w.WriteString(name, value);
                    }

                    w.WriteEndObject();
                    w.WriteEndObject();
                }));
            case ResponseActionKind.ScaleToZero when key is ("apps", "deployments" or "statefulsets" or "replicasets"):
                return new(action.Kind, target, "PATCH", PathOf(target) + "/scale", Json(w =>
                {
                    w.WriteStartObject("spec");
                    w.WriteNumber("replicas", 0);
                    w.WriteEndObject();
                }));
            case ResponseActionKind.DeleteBinding when key is ("rbac.authorization.k8s.io", "rolebindings" or "clusterrolebindings"):
                return new(action.Kind, target, "DELETE", PathOf(target), null);
            case ResponseActionKind.CordonNode when key == ("", "nodes"):
                return new(action.Kind, target, "PATCH", PathOf(target), Json(w =>
                {
                    w.WriteStartObject("spec");
                    w.WriteBoolean("unschedulable", true);
                    w.WriteEndObject();
                }));
            default:
                problem = $"{Describe(action.Kind)} does not apply to {target.Resource}{(target.Group.Length == 0 ? "" : "." + target.Group)}";
                return null;
        }
    }

    private static string Describe(ResponseActionKind kind) => kind switch
    {
        ResponseActionKind.DeletePod => "delete-pod",
        ResponseActionKind.Label => "label",
        ResponseActionKind.Annotate => "annotate",
        ResponseActionKind.ScaleToZero => "scale-to-zero",
        ResponseActionKind.DeleteBinding => "delete-binding",
        _ => "cordon-node",
    };

    private static string PathOf(ResponseTarget target)
    {
        var version = GroupVersions[target.Group];
        var root = target.Group.Length == 0 ? $"/api/{version}" : $"/apis/{target.Group}/{version}";
        var scope = target.Namespace is null ? "" : $"/namespaces/{Uri.EscapeDataString(target.Namespace)}";
        return $"{root}{scope}/{target.Resource}/{Uri.EscapeDataString(target.Name)}";
    }

    private static string Json(Action<Utf8JsonWriter> writeFields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeFields(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
