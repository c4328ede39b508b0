using System.Text.Json;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>
/// A pod created by its controller (generateName, owner reference, template spec; the response is the stored
/// pod with admission's additions and managedFields) or deleted (DeleteOptions; the response is the pod with
/// its deletionTimestamp).
/// </summary>
internal sealed class PodBody : ObjectBody
{
    public static readonly PodBody Create = new(deleting: false);
    public static readonly PodBody Delete = new(deleting: true);

    private static readonly string MeshStatus = ObjectJson.Json(
        "{'initContainers':['istio-init'],'containers':['istio-proxy'],'volumes':['workload-socket',"
        + "'credential-socket','workload-certs','istio-envoy','istio-data','istio-podinfo','istio-token',"
        + "'istiod-ca-cert'],'imagePullSecrets':null,'revision':'default'}");

    // What kube-controller-manager owns in a pod it created; OWNER_UID and CONTAINER are filled per workload.
    private const string ControllerFields =
        "{'f:metadata':{'f:generateName':{},'f:labels':{'.':{},'f:app.kubernetes.io/name':{},"
        + "'f:app.kubernetes.io/part-of':{},'f:pod-template-hash':{}},'f:ownerReferences':{'.':{},"
        + "'k:{`uid`:`OWNER_UID`}':{}}},'f:spec':{'f:containers':{'k:{`name`:`CONTAINER`}':{'.':{},'f:args':{},"
        + "'f:env':{'.':{},'k:{`name`:`APP_ENV`}':{'.':{},'f:name':{},'f:value':{}},"
        + "'k:{`name`:`DATABASE_PASSWORD`}':{'.':{},'f:name':{},'f:valueFrom':{'.':{},'f:secretKeyRef':{}}},"
        + "'k:{`name`:`LOG_LEVEL`}':{'.':{},'f:name':{},'f:value':{}}},'f:image':{},'f:imagePullPolicy':{},"
        + "'f:name':{},'f:resources':{'.':{},'f:limits':{'.':{},'f:cpu':{},'f:memory':{}},'f:requests':{'.':{},"
        + "'f:cpu':{},'f:memory':{}}},'f:securityContext':{},'f:terminationMessagePath':{},"
        + "'f:terminationMessagePolicy':{}}},'f:dnsPolicy':{},'f:enableServiceLinks':{},'f:restartPolicy':{},"
        + "'f:schedulerName':{},'f:securityContext':{},'f:serviceAccount':{},'f:serviceAccountName':{},"
        + "'f:terminationGracePeriodSeconds':{}}}";

    private readonly bool _deleting;

    private PodBody(bool deleting) => _deleting = deleting;

    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        if (_deleting)
        {
            DeleteOptionsBody.WriteOptions(w, r);
        }
        else
        {
            Write(w, r, stored: false);
        }
    }

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        var pod = r.Pod!;
        var workload = pod.Workload;
        var job = workload.Kind == WorkloadKind.CronJob;
        var generated = workload.Kind is WorkloadKind.Deployment or WorkloadKind.DaemonSet || job;
        var (ownerVersion, ownerKind, ownerName, ownerUid) = Owner(pod);
        w.WriteStartObject();
        ObjectJson.TypeMeta(w, Api.Pods);
        ObjectJson.StartMetadata(w, r, stored || !generated ? pod.Name : null, stored,
            generated ? (job ? ownerName : workload.ReplicaSetName) + "-" : null);
        if (stored && _deleting)
        {
            ObjectJson.Time(w, "deletionTimestamp"u8, r.ReceivedMicros + (30 * Infrastructure.MicroTime.PerSecond));
            w.WriteNumber("deletionGracePeriodSeconds"u8, 30);
        }

        var (hashKey, hashValue) = workload.Kind switch
        {
            WorkloadKind.Deployment => ("pod-template-hash", workload.TemplateHash),
            WorkloadKind.CronJob => ("batch.kubernetes.io/job-name", ownerName),
            _ => ("controller-revision-hash", workload.Name + "-" + workload.TemplateHash),
        };
        ObjectJson.Labels(w, workload, hashKey, hashValue);
        if (stored && pod.Injected)
        {
            w.WriteStartObject("annotations"u8);
            w.WriteString("sidecar.istio.io/status"u8, MeshStatus);
            w.WriteEndObject();
        }

        ObjectJson.OwnerReference(w, ownerVersion, ownerKind, ownerName, ownerUid);
        if (stored && !_deleting && !job)
        {
            w.WriteStartArray("managedFields"u8);
            var fields = ObjectJson.FieldsV1(workload, "pod-fields", ControllerFields, ownerUid);
            ObjectJson.ManagedField(w, "kube-controller-manager", "Update", "v1", r.ReceivedMicros, fields);
            w.WriteEndArray();
        }

        w.WriteEndObject();
        if (stored)
        {
            PodSpecJson.WriteStored(w, pod, job, pod.Injected, bound: _deleting);
            w.WriteStartObject("status"u8);
            w.WriteString("phase"u8, _deleting ? "Running"u8 : "Pending"u8);
            if (_deleting)
            {
                w.WriteString("hostIP"u8, pod.Node.Ip);
                w.WriteString("podIP"u8, pod.Ip);
            }

            w.WriteString("qosClass"u8, "Burstable"u8);
            w.WriteEndObject();
        }
        else
        {
            PodSpecJson.WriteTemplate(w, workload, job);
            ObjectJson.EmptyObject(w, "status"u8);
        }

        w.WriteEndObject();
    }

    private static (string ApiVersion, string Kind, string Name, string Uid) Owner(PodModel pod)
    {
        var workload = pod.Workload;
        return workload.Kind switch
        {
            WorkloadKind.Deployment => ("apps/v1", "ReplicaSet", workload.ReplicaSetName, workload.ReplicaSetUid.ToString()),
            WorkloadKind.StatefulSet => ("apps/v1", "StatefulSet", workload.Name, workload.Uid.ToString()),
            WorkloadKind.DaemonSet => ("apps/v1", "DaemonSet", workload.Name, workload.Uid.ToString()),
            WorkloadKind.CronJob => ("batch/v1", "Job", pod.Name[..^6], JobBody.JobUid(workload, pod.Name[..^6])),
            _ => ("v1", "Node", pod.Node.Name, pod.Node.Uid.ToString()),
        };
    }
}
