using System.Text.Json;
using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

internal enum PodPhaseChange
{
    ContainerCreating,
    Running,
    Terminated,
}

/// <summary>
/// The kubelet's strategic-merge patches of pods/status. Logged at Request level (the policy keeps responses
/// out for node status traffic), so only the patch is written.
/// </summary>
internal sealed class PodStatusPatchBody : RequestOnlyBody
{
    public static readonly PodStatusPatchBody Instance = new();

    private static readonly byte[] ConditionOrder =
        """[{"type":"PodReadyToStartContainers"},{"type":"Initialized"},{"type":"Ready"},{"type":"ContainersReady"},{"type":"PodScheduled"}]"""u8.ToArray();

    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        var pod = r.Pod!;
        var change = (PodPhaseChange)r.Variant;
        var started = pod.CreatedMicros + (2 * MicroTime.PerSecond);
        w.WriteStartObject();
        w.WriteStartObject("metadata"u8);
        w.WriteString("uid"u8, pod.Uid.ToString());
        w.WriteEndObject();
        w.WriteStartObject("status"u8);
        ObjectJson.Raw(w, "$setElementOrder/conditions"u8, ConditionOrder);
        w.WriteStartArray("conditions"u8);
        var ready = change == PodPhaseChange.Running;
        WriteCondition(w, r.ReceivedMicros, change != PodPhaseChange.Terminated, "PodReadyToStartContainers");
        WriteCondition(w, r.ReceivedMicros, ready, "Ready");
        WriteCondition(w, r.ReceivedMicros, ready, "ContainersReady");
        w.WriteEndArray();
        w.WriteStartArray("containerStatuses"u8);
        w.WriteStartObject();
        if (change != PodPhaseChange.ContainerCreating)
        {
            w.WriteString("containerID"u8, ContainerId(pod));
        }

        w.WriteString("image"u8, pod.Workload.Image);
        w.WriteString("imageID"u8, pod.Workload.ImageRepository + "@" + ImageDigest(pod.Workload));
        ObjectJson.EmptyObject(w, "lastState"u8);
        w.WriteString("name"u8, pod.Workload.Container);
        w.WriteBoolean("ready"u8, ready);
        w.WriteNumber("restartCount"u8, 0);
        w.WriteBoolean("started"u8, change == PodPhaseChange.Running);
        w.WriteStartObject("state"u8);
        switch (change)
        {
            case PodPhaseChange.ContainerCreating:
                w.WriteStartObject("waiting"u8);
                w.WriteString("reason"u8, "ContainerCreating"u8);
                w.WriteEndObject();
                break;
            case PodPhaseChange.Running:
                w.WriteStartObject("running"u8);
                ObjectJson.Time(w, "startedAt"u8, started);
                w.WriteEndObject();
                break;
            default:
                w.WriteStartObject("terminated"u8);
                w.WriteNumber("exitCode"u8, 0);
                w.WriteString("reason"u8, "Completed"u8);
                ObjectJson.Time(w, "startedAt"u8, started);
                ObjectJson.Time(w, "finishedAt"u8, r.ReceivedMicros);
                w.WriteString("containerID"u8, ContainerId(pod));
                w.WriteEndObject();
                break;
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("hostIP"u8, pod.Node.Ip);
        w.WriteString("phase"u8, change switch
        {
            PodPhaseChange.ContainerCreating => "Pending",
            PodPhaseChange.Running => "Running",
            _ => "Succeeded",
        });
        w.WriteString("podIP"u8, pod.Ip);
        ObjectJson.Time(w, "startTime"u8, pod.CreatedMicros);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>64 hex digits, like a containerd id or an image digest, made from two stable uids.</summary>
    private static string Hex64(Infrastructure.Uuid first, Infrastructure.Uuid second) =>
        (first.ToString() + second.ToString()).Replace("-", "", StringComparison.Ordinal);

    private static string ContainerId(PodModel pod) => "containerd://" + Hex64(pod.Uid, pod.Workload.Uid);

    public static string ImageDigest(Workload workload) => "sha256:" + Hex64(workload.Uid, workload.ServiceAccountUid);

    private static void WriteCondition(Utf8JsonWriter w, long micros, bool status, string type)
    {
        w.WriteStartObject();
        ObjectJson.Time(w, "lastTransitionTime"u8, micros);
        w.WriteString("status"u8, status ? "True"u8 : "False"u8);
        w.WriteString("type"u8, type);
        w.WriteEndObject();
    }
}

/// <summary>
/// The kubelet's node status heartbeat patch; about once an hour it also reports the node's images, which makes
/// it one of the larger bodies in the log.
/// </summary>
internal sealed class NodeStatusPatchBody : RequestOnlyBody
{
    public static readonly NodeStatusPatchBody Instance = new();

    private static readonly byte[] ConditionOrder =
        """[{"type":"MemoryPressure"},{"type":"DiskPressure"},{"type":"PIDPressure"},{"type":"Ready"}]"""u8.ToArray();

    private static readonly string[] ConditionTypes = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];

    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteStartObject();
        w.WriteStartObject("status"u8);
        ObjectJson.Raw(w, "$setElementOrder/conditions"u8, ConditionOrder);
        w.WriteStartArray("conditions"u8);
        foreach (var type in ConditionTypes)
        {
            w.WriteStartObject();
            ObjectJson.Time(w, "lastHeartbeatTime"u8, r.ReceivedMicros);
            w.WriteString("type"u8, type);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (r.Variant == 1)
        {
            WriteImages(w, r.Node!);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteImages(Utf8JsonWriter w, NodeModel node)
    {
        w.WriteStartArray("images"u8);
        var reported = new List<Workload>(node.Pods.Count);
        foreach (var pod in node.Pods)
        {
            if (reported.Contains(pod.Workload))
            {
                continue;
            }

            reported.Add(pod.Workload);
            w.WriteStartObject();
            ObjectJson.StringArray(w, "names"u8,
                pod.Workload.ImageRepository + "@" + PodStatusPatchBody.ImageDigest(pod.Workload), pod.Workload.Image);
            w.WriteNumber("sizeBytes"u8, 20_000_000 + (long)(pod.Workload.Uid.Low % 400_000_000));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
