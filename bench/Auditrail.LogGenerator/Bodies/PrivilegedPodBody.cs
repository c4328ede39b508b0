using System.Text.Json;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>
/// The pod an attacker creates to break out to a node: privileged, host namespaces, the host's root mounted,
/// nsenter into PID 1, pinned to a chosen node and tolerating every taint.
/// </summary>
internal sealed class PrivilegedPodBody(string node, string image) : ObjectBody
{
    private static readonly byte[] Command = """["nsenter","--target","1","--mount","--uts","--ipc","--net","--pid","--","bash"]"""u8.ToArray();

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        ObjectJson.Begin(w, Api.Pods, r, r.DetailsName, stored);
        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        w.WriteStartArray("volumes"u8);
        w.WriteStartObject();
        w.WriteString("name"u8, "host-root"u8);
        w.WriteStartObject("hostPath"u8);
        w.WriteString("path"u8, "/"u8);
        w.WriteString("type"u8, ""u8);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("containers"u8);
        w.WriteStartObject();
        w.WriteString("name"u8, "shell"u8);
        w.WriteString("image"u8, image);
        ObjectJson.Raw(w, "command"u8, Command);
        ObjectJson.EmptyObject(w, "resources"u8);
        w.WriteStartArray("volumeMounts"u8);
        w.WriteStartObject();
        w.WriteString("name"u8, "host-root"u8);
        w.WriteString("mountPath"u8, "/host"u8);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("terminationMessagePath"u8, "/dev/termination-log"u8);
        w.WriteString("terminationMessagePolicy"u8, "File"u8);
        w.WriteString("imagePullPolicy"u8, "IfNotPresent"u8);
        w.WriteStartObject("securityContext"u8);
        w.WriteBoolean("privileged"u8, true);
        w.WriteEndObject();
        w.WriteBoolean("stdin"u8, true);
        w.WriteBoolean("tty"u8, true);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("restartPolicy"u8, "Never"u8);
        w.WriteString("nodeName"u8, node);
        w.WriteBoolean("hostNetwork"u8, true);
        w.WriteBoolean("hostPID"u8, true);
        w.WriteBoolean("hostIPC"u8, true);
        ObjectJson.EmptyObject(w, "securityContext"u8);
        w.WriteStartArray("tolerations"u8);
        w.WriteStartObject();
        w.WriteString("operator"u8, "Exists"u8);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("status"u8);
        if (stored)
        {
            w.WriteString("phase"u8, "Pending"u8);
            w.WriteString("qosClass"u8, "BestEffort"u8);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
