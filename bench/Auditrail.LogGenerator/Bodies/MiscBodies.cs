using System.Text.Json;
using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;
using Auditrail.LogGenerator.Writing;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>What the audit log shows for writes without a dedicated body: a minimal object, patch or DeleteOptions.</summary>
internal sealed class GenericBody : IObjectBody
{
    public static readonly GenericBody Instance = new();

    public void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        switch (r.Verb)
        {
            case Verbs.Delete or Verbs.DeleteCollection:
                DeleteOptionsBody.WriteOptions(w, r);
                break;
            case Verbs.Patch:
                w.WriteStartObject();
                w.WriteStartObject("status"u8);
                w.WriteNumber("observedGeneration"u8, 1 + (r.NewResourceVersion % 40));
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            default:
                Write(w, r, stored: r.Verb == Verbs.Update);
                break;
        }
    }

    public bool HasResponse(AuditRequest r) => r.Verb != Verbs.DeleteCollection;

    public void WriteResponse(Utf8JsonWriter w, AuditRequest r)
    {
        if (r.Verb == Verbs.Delete)
        {
            StatusJson.Write(w, r, AuditStage.ResponseComplete, asObject: true);
        }
        else
        {
            Write(w, r, stored: true);
        }
    }

    private static void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        w.WriteStartObject();
        if (r.Resource is { } resource)
        {
            ObjectJson.TypeMeta(w, resource);
        }

        ObjectJson.StartMetadata(w, r, r.DetailsName, stored);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>DeleteOptions as clients send them; the response is a Success Status naming the deleted object.</summary>
internal sealed class DeleteOptionsBody : StatusAnsweredBody
{
    public static readonly DeleteOptionsBody Instance = new();

    public static void WriteOptions(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteStartObject();
        // The audit layer encodes the options in the group version of the resource being deleted.
        ObjectJson.TypeMeta(w, "DeleteOptions", r.Resource?.ApiVersion ?? "v1");
        if (r.User?.Traffic == TrafficKind.Node)
        {
            // The kubelet's final delete: no grace, and only if it is still the same pod.
            w.WriteNumber("gracePeriodSeconds"u8, 0);
            w.WriteStartObject("preconditions"u8);
            w.WriteString("uid"u8, ObjectJson.ObjectUid(r));
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("propagationPolicy"u8, "Background"u8);
        }

        w.WriteEndObject();
    }

    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r) => WriteOptions(w, r);

    /// <summary>deletecollection answers with the deleted list, which the policy never logs (Request level).</summary>
    public override bool HasResponse(AuditRequest r) => r.Verb == Verbs.Delete;
}

/// <summary>The scheduler's Binding of a pod to a node (POST pods/binding).</summary>
internal sealed class PodBindingBody : StatusAnsweredBody
{
    public static readonly PodBindingBody Instance = new();

    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteStartObject();
        ObjectJson.TypeMeta(w, "Binding", "v1");
        ObjectJson.ReferenceMetadata(w, r.Pod!.Name, r.Pod.Namespace, r.Pod.Uid.ToString());
        w.WriteStartObject("target"u8);
        w.WriteString("kind"u8, "Node"u8);
        w.WriteString("name"u8, r.Pod.Node.Name);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>An Eviction (POST pods/eviction), as kubectl drain sends it.</summary>
internal sealed class EvictionBody : StatusAnsweredBody
{
    public static readonly EvictionBody Instance = new();

    public override void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteStartObject();
        ObjectJson.TypeMeta(w, "Eviction", "policy/v1");
        ObjectJson.ReferenceMetadata(w, r.Name!, r.Namespace!);
        w.WriteEndObject();
    }
}

/// <summary>A Namespace created by CI for a preview environment, labelled for Pod Security Admission.</summary>
internal sealed class NamespaceBody : ObjectBody
{
    public static readonly NamespaceBody Instance = new();

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        var name = r.DetailsName!;
        ObjectJson.Begin(w, Api.Namespaces, r, name, stored);
        w.WriteStartObject("labels"u8);
        w.WriteString("app.kubernetes.io/managed-by"u8, "ci"u8);
        if (stored)
        {
            w.WriteString("kubernetes.io/metadata.name"u8, name);
        }

        w.WriteString("pod-security.kubernetes.io/enforce"u8, "baseline"u8);
        w.WriteString("pod-security.kubernetes.io/warn"u8, "restricted"u8);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        if (stored)
        {
            ObjectJson.StringArray(w, "finalizers"u8, "kubernetes");
        }

        w.WriteEndObject();
        w.WriteStartObject("status"u8);
        w.WriteString("phase"u8, "Active"u8);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>A leader-election Lease, logged in full only in the full-body namespace.</summary>
internal sealed class LeaseBody : ObjectBody
{
    public static readonly LeaseBody Instance = new();

    /// <summary>Lease renewals are updates of the stored object, request and response alike.</summary>
    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        ObjectJson.Begin(w, Api.Leases, r, r.DetailsName, stored: true);
        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        w.WriteString("holderIdentity"u8, r.Pod?.Name ?? r.User?.Username ?? "");
        w.WriteNumber("leaseDurationSeconds"u8, 15);
        ObjectJson.MicroTimeValue(w, "acquireTime"u8, r.ReceivedMicros - (r.ObjectResourceVersion % (6 * MicroTime.PerHour)));
        ObjectJson.MicroTimeValue(w, "renewTime"u8, r.ReceivedMicros);
        w.WriteNumber("leaseTransitions"u8, 1 + (r.ObjectResourceVersion % 7));
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>A kubelet requesting a pod-bound service account token (TokenRequest); the response holds a fake token.</summary>
internal sealed class TokenRequestBody : ObjectBody
{
    public static readonly TokenRequestBody Instance = new();

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        var response = stored;
        var pod = r.Pod!;
        w.WriteStartObject();
        ObjectJson.TypeMeta(w, "TokenRequest", "authentication.k8s.io/v1");
        w.WriteStartObject("metadata"u8);
        if (response)
        {
            w.WriteString("name"u8, r.Name);
            w.WriteString("namespace"u8, r.Namespace);
        }

        w.WriteNull("creationTimestamp"u8);
        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        ObjectJson.StringArray(w, "audiences"u8, "https://kubernetes.default.svc.cluster.local");
        w.WriteNumber("expirationSeconds"u8, 3607);
        w.WriteStartObject("boundObjectRef"u8);
        w.WriteString("kind"u8, "Pod"u8);
        w.WriteString("apiVersion"u8, "v1"u8);
        w.WriteString("name"u8, pod.Name);
        w.WriteString("uid"u8, pod.Uid.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("status"u8);
        w.WriteString("token"u8, response ? ReviewBody.FakeToken(pod.Identity.Username) : "");
        if (response)
        {
            ObjectJson.Time(w, "expirationTimestamp"u8, r.ReceivedMicros + (3607 * MicroTime.PerSecond));
        }
        else
        {
            w.WriteNull("expirationTimestamp"u8);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>kubectl cordon / drain: a patch setting spec.unschedulable; the response is a trimmed Node.</summary>
internal sealed class CordonBody : IObjectBody
{
    public static readonly CordonBody Instance = new();

    public void WriteRequest(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteStartObject();
        w.WriteStartObject("spec"u8);
        w.WriteBoolean("unschedulable"u8, true);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public bool HasResponse(AuditRequest r) => true;

    public void WriteResponse(Utf8JsonWriter w, AuditRequest r)
    {
        var node = r.Node!;
        ObjectJson.Begin(w, Api.Nodes, r, node.Name, stored: true, uid: node.Uid.ToString());
        w.WriteStartObject("labels"u8);
        w.WriteString("kubernetes.io/hostname"u8, node.Name);
        w.WriteString("kubernetes.io/os"u8, "linux"u8);
        w.WriteString("node.kubernetes.io/instance-type"u8, "m6i.2xlarge"u8);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("spec"u8);
        w.WriteString("providerID"u8, "aws:///eu-west-1a/i-0" + node.Uid.ToString()[..16].Replace("-", "", StringComparison.Ordinal));
        w.WriteBoolean("unschedulable"u8, true);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
