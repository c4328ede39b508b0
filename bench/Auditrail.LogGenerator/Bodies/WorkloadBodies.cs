using System.Globalization;
using System.Text.Json;
using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;
using Auditrail.LogGenerator.Writing;

namespace Auditrail.LogGenerator.Bodies;

internal enum DeploymentChange
{
    /// <summary>kubectl apply (client-side): a strategic-merge patch carrying last-applied-configuration.</summary>
    Apply,

    /// <summary>kubectl rollout restart: a patch of the template's restartedAt annotation.</summary>
    Restart,

    /// <summary>A full Deployment posted by CI.</summary>
    Create,

    /// <summary>The deployment controller writing status (PUT deployments/status).</summary>
    Status,
}

/// <summary>Deployments: the largest bodies in a typical log, with last-applied configuration and managedFields.</summary>
internal sealed class DeploymentBody : ObjectBody
{
    public static readonly DeploymentBody Apply = new(DeploymentChange.Apply);
    public static readonly DeploymentBody Restart = new(DeploymentChange.Restart);
    public static readonly DeploymentBody Create = new(DeploymentChange.Create);
    public static readonly DeploymentBody Status = new(DeploymentChange.Status);

    private const string ApplyFields =
        "{'f:metadata':{'f:annotations':{'.':{},'f:kubectl.kubernetes.io/last-applied-configuration':{}},"
        + "'f:labels':{'.':{},'f:app.kubernetes.io/name':{},'f:app.kubernetes.io/part-of':{}}},"
        + "'f:spec':{'f:progressDeadlineSeconds':{},'f:replicas':{},'f:revisionHistoryLimit':{},"
        + "'f:selector':{},'f:strategy':{'f:rollingUpdate':{'.':{},'f:maxSurge':{},'f:maxUnavailable':{}},"
        + "'f:type':{}},'f:template':{'f:metadata':{'f:labels':{'.':{},'f:app.kubernetes.io/name':{},"
        + "'f:app.kubernetes.io/part-of':{}}},'f:spec':{'f:containers':{'k:{`name`:`CONTAINER`}':{'.':{},"
        + "'f:args':{},'f:image':{},'f:imagePullPolicy':{},'f:name':{},'f:resources':{'.':{},"
        + "'f:limits':{'.':{},'f:cpu':{},'f:memory':{}},'f:requests':{'.':{},'f:cpu':{},'f:memory':{}}},"
        + "'f:terminationMessagePath':{},'f:terminationMessagePolicy':{}}},'f:dnsPolicy':{},"
        + "'f:restartPolicy':{},'f:schedulerName':{},'f:securityContext':{},'f:serviceAccountName':{},"
        + "'f:terminationGracePeriodSeconds':{}}}}}";

    private const string StatusFields =
        "{'f:metadata':{'f:annotations':{'f:deployment.kubernetes.io/revision':{}}},"
        + "'f:status':{'f:availableReplicas':{},'f:conditions':{'.':{},'k:{`type`:`Available`}':{'.':{},"
        + "'f:lastTransitionTime':{},'f:lastUpdateTime':{},'f:message':{},'f:reason':{},'f:status':{},"
        + "'f:type':{}},'k:{`type`:`Progressing`}':{'.':{},'f:lastTransitionTime':{},'f:lastUpdateTime':{},"
        + "'f:message':{},'f:reason':{},'f:status':{},'f:type':{}}},'f:observedGeneration':{},"
        + "'f:readyReplicas':{},'f:replicas':{},'f:updatedReplicas':{}}}";

    private static readonly byte[] Strategy = """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}}"""u8.ToArray();

    private readonly DeploymentChange _change;

    private DeploymentBody(DeploymentChange change) => _change = change;

    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        var workload = r.Workload!;
        switch (_change)
        {
            case DeploymentChange.Apply:
                w.WriteStartObject();
                w.WriteStartObject("metadata"u8);
                w.WriteStartObject("annotations"u8);
                w.WriteString("kubectl.kubernetes.io/last-applied-configuration"u8, LastApplied(workload));
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject("spec"u8);
                w.WriteStartObject("template"u8);
                w.WriteStartObject("spec"u8);
                w.WriteStartArray("$setElementOrder/containers"u8);
                w.WriteStartObject();
                w.WriteString("name"u8, workload.Container);
                w.WriteEndObject();
                w.WriteEndArray();
                WriteContainerImage(w, workload);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case DeploymentChange.Restart:
                w.WriteStartObject();
                w.WriteStartObject("spec"u8);
                w.WriteStartObject("template"u8);
                w.WriteStartObject("metadata"u8);
                w.WriteStartObject("annotations"u8);
                ObjectJson.Time(w, "kubectl.kubernetes.io/restartedAt"u8, r.ReceivedMicros);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            default:
                Write(w, r, stored: _change == DeploymentChange.Status);
                break;
        }
    }

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        var workload = r.Workload!;
        ObjectJson.Begin(w, Api.Deployments, r, workload.Name, stored, uid: workload.Uid.ToString(), generation: workload.Generation);
        ObjectJson.Labels(w, workload);
        w.WriteStartObject("annotations"u8);
        if (stored)
        {
            w.WriteString("deployment.kubernetes.io/revision"u8, workload.Revision.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteString("kubectl.kubernetes.io/last-applied-configuration"u8, LastApplied(workload));
        w.WriteEndObject();
        if (stored)
        {
            w.WriteStartArray("managedFields"u8);
            var created = ObjectJson.CreatedAt(r);
            ObjectJson.ManagedField(w, "kubectl-client-side-apply", "Update", "apps/v1", created,
                ObjectJson.FieldsV1(workload, "deployment-apply-fields", ApplyFields));
            ObjectJson.ManagedField(w, "kube-controller-manager", "Update", "apps/v1", r.ReceivedMicros,
                ObjectJson.FieldsV1(workload, "deployment-status-fields", StatusFields), "status");
            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        w.WriteNumber("replicas"u8, workload.Replicas);
        WriteSelector(w, workload, null, null);
        WriteTemplate(w, workload, null, null, job: false);
        ObjectJson.Raw(w, "strategy"u8, Strategy);
        w.WriteNumber("revisionHistoryLimit"u8, 10);
        w.WriteNumber("progressDeadlineSeconds"u8, 600);
        w.WriteEndObject();
        if (stored)
        {
            WriteStatus(w, r, workload);
        }
        else
        {
            ObjectJson.EmptyObject(w, "status"u8);
        }

        w.WriteEndObject();
    }

    private static void WriteStatus(Utf8JsonWriter w, AuditRequest r, Workload workload)
    {
        w.WriteStartObject("status"u8);
        w.WriteNumber("observedGeneration"u8, workload.Generation);
        w.WriteNumber("replicas"u8, workload.Replicas);
        w.WriteNumber("updatedReplicas"u8, workload.Replicas);
        w.WriteNumber("readyReplicas"u8, workload.Replicas);
        w.WriteNumber("availableReplicas"u8, workload.Replicas);
        w.WriteStartArray("conditions"u8);
        var since = r.ReceivedMicros - (long)(workload.Uid.Low % (ulong)(7 * MicroTime.PerDay));
        WriteCondition(w, "Available", since, "MinimumReplicasAvailable", "Deployment has minimum availability.");
        WriteCondition(w, "Progressing", since, "NewReplicaSetAvailable", $"ReplicaSet \"{workload.ReplicaSetName}\" has successfully progressed.");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteCondition(Utf8JsonWriter w, string type, long micros, string reason, string message)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, type);
        w.WriteString("status"u8, "True"u8);
        ObjectJson.Time(w, "lastUpdateTime"u8, micros);
        ObjectJson.Time(w, "lastTransitionTime"u8, micros);
        w.WriteString("reason"u8, reason);
        w.WriteString("message"u8, message);
        w.WriteEndObject();
    }

    /// <summary>The manifest kubectl last applied, as the annotation stores it: compact JSON plus a newline.</summary>
    private static ReadOnlySpan<byte> LastApplied(Workload workload) => PodSpecJson.Render(workload, "last-applied", m =>
    {
        var manifest = JsonOutput.Render(j =>
        {
            j.WriteStartObject();
            j.WriteString("apiVersion"u8, "apps/v1"u8);
            j.WriteString("kind"u8, "Deployment"u8);
            j.WriteStartObject("metadata"u8);
            ObjectJson.EmptyObject(j, "annotations"u8);
            ObjectJson.Labels(j, workload);
            j.WriteString("name"u8, workload.Name);
            j.WriteString("namespace"u8, workload.Namespace);
            j.WriteEndObject();
            j.WriteStartObject("spec"u8);
            j.WriteNumber("replicas"u8, workload.Replicas);
            WriteSelector(j, workload, null, null);
            j.WriteStartObject("template"u8);
            j.WriteStartObject("metadata"u8);
            ObjectJson.Labels(j, workload);
            j.WriteEndObject();
            j.WriteStartObject("spec"u8);
            WriteContainerImage(j, workload);
            j.WriteString("serviceAccountName"u8, workload.ServiceAccount);
            j.WriteEndObject();
            j.WriteEndObject();
            j.WriteEndObject();
            j.WriteEndObject();
        });

        // Rendered as raw bytes (not a JSON value) so the caller writes them as an escaped string.
        m.WriteRawValue([.. manifest, (byte)'\n'], skipInputValidation: true);
    });

    /// <summary>What kubectl sends (and records) for a container it changes: its image and name.</summary>
    private static void WriteContainerImage(Utf8JsonWriter w, Workload workload)
    {
        w.WriteStartArray("containers"u8);
        w.WriteStartObject();
        w.WriteString("image"u8, workload.Image);
        w.WriteString("name"u8, workload.Container);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    public static void WriteSelector(Utf8JsonWriter w, Workload workload, string? hashKey, string? hashValue)
    {
        w.WriteStartObject("selector"u8);
        w.WriteStartObject("matchLabels"u8);
        w.WriteString("app.kubernetes.io/name"u8, workload.Label);
        if (hashKey is not null)
        {
            w.WriteString(hashKey, hashValue);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>spec.template: labels plus the workload's pod spec.</summary>
    public static void WriteTemplate(Utf8JsonWriter w, Workload workload, string? hashKey, string? hashValue, bool job)
    {
        w.WriteStartObject("template"u8);
        w.WriteStartObject("metadata"u8);
        w.WriteNull("creationTimestamp"u8);
        ObjectJson.Labels(w, workload, hashKey, hashValue);
        w.WriteEndObject();
        PodSpecJson.WriteTemplate(w, workload, job);
        w.WriteEndObject();
    }
}
