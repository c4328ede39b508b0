using System.Globalization;
using System.Text.Json;
using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>The ReplicaSet the deployment controller creates for a rollout, or resizes while it rolls.</summary>
internal sealed class ReplicaSetBody : ObjectBody
{
    public static readonly ReplicaSetBody Instance = new();

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        var workload = r.Workload!;
        ObjectJson.Begin(w, Api.ReplicaSets, r, workload.ReplicaSetName, stored, uid: workload.ReplicaSetUid.ToString(), generation: 1 + r.Variant);
        ObjectJson.Labels(w, workload, "pod-template-hash", workload.TemplateHash);
        w.WriteStartObject("annotations"u8);
        w.WriteString("deployment.kubernetes.io/desired-replicas"u8, workload.Replicas.ToString(CultureInfo.InvariantCulture));
        w.WriteString("deployment.kubernetes.io/max-replicas"u8, (workload.Replicas + 1).ToString(CultureInfo.InvariantCulture));
        w.WriteString("deployment.kubernetes.io/revision"u8, workload.Revision.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        ObjectJson.OwnerReference(w, "apps/v1", "Deployment", workload.Name, workload.Uid.ToString());
        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        w.WriteNumber("replicas"u8, r.Variant);
        DeploymentBody.WriteSelector(w, workload, "pod-template-hash", workload.TemplateHash);
        DeploymentBody.WriteTemplate(w, workload, "pod-template-hash", workload.TemplateHash, job: false);
        w.WriteEndObject();
        w.WriteStartObject("status"u8);
        w.WriteNumber("replicas"u8, stored ? Math.Max(0, r.Variant - 1) : 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>kubectl scale / HPA: a patch of spec.replicas on the scale subresource, answered with a Scale.</summary>
internal sealed class ScaleBody : ObjectBody
{
    public static readonly ScaleBody Instance = new();

    /// <summary>kubectl patches spec.replicas; the HPA controller PUTs a whole Scale.</summary>
    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        if (r.Verb == Verbs.Update)
        {
            Write(w, r, stored: false);
            return;
        }

        w.WriteStartObject();
        w.WriteStartObject("spec"u8);
        w.WriteNumber("replicas"u8, r.Variant);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        var workload = r.Workload!;
        w.WriteStartObject();
        ObjectJson.TypeMeta(w, "Scale", "autoscaling/v1");
        ObjectJson.StartMetadata(w, r, workload.Name, stored, uid: workload.Uid.ToString());
        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        w.WriteNumber("replicas"u8, r.Variant);
        w.WriteEndObject();
        w.WriteStartObject("status"u8);
        w.WriteNumber("replicas"u8, workload.Replicas);
        w.WriteString("selector"u8, "app.kubernetes.io/name=" + workload.Label + ",app.kubernetes.io/part-of=" + workload.Namespace);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>A Job the CronJob controller creates on schedule (name in <see cref="AuditRequest.BodyName"/>).</summary>
internal sealed class JobBody : ObjectBody
{
    public static readonly JobBody Instance = new();

    /// <summary>A stable uid for a job, so its pods' owner references agree with the job's own events.</summary>
    public static string JobUid(Workload cronJob, string jobName) => Uuid.FromName(cronJob.Uid + "/" + jobName).ToString();

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        var cronJob = r.Workload!;
        var name = r.BodyName ?? r.Name!;
        ObjectJson.Begin(w, Api.Jobs, r, name, stored, uid: JobUid(cronJob, name), generation: 1);
        ObjectJson.Labels(w, cronJob);
        w.WriteStartObject("annotations"u8);
        ObjectJson.Time(w, "batch.kubernetes.io/cronjob-scheduled-timestamp"u8, r.ReceivedMicros - (r.ReceivedMicros % MicroTime.PerMinute));
        w.WriteEndObject();
        ObjectJson.OwnerReference(w, "batch/v1", "CronJob", cronJob.Name, cronJob.Uid.ToString());
        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        if (stored)
        {
            w.WriteNumber("parallelism"u8, 1);
            w.WriteNumber("completions"u8, 1);
        }

        w.WriteNumber("backoffLimit"u8, 6);
        DeploymentBody.WriteTemplate(w, cronJob, "batch.kubernetes.io/job-name", name, job: true);
        if (stored)
        {
            w.WriteString("completionMode"u8, "NonIndexed"u8);
            w.WriteBoolean("suspend"u8, false);
            w.WriteString("podReplacementPolicy"u8, "TerminatingOrFailed"u8);
        }

        w.WriteEndObject();
        ObjectJson.EmptyObject(w, "status"u8);
        w.WriteEndObject();
    }
}
