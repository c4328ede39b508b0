using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;

namespace Auditrail.LogGenerator.Simulation;

/// <summary>
/// One API request as the audit layer sees it: attributes, authorization outcome, response and timing. Its
/// stages are written as separate events that share the auditID. Instances are pooled: a request returns to
/// the pool once its last stage is written.
/// </summary>
internal sealed class AuditRequest
{
    public Uuid AuditId { get; set; }

    /// <summary>Null for failed authentication, which the apiserver audits with an empty user.</summary>
    public Identity? User { get; set; }

    public Identity? Impersonated { get; set; }

    public TrafficKind Traffic { get; set; }

    public AttackKind? Attack { get; set; }

    public int Scenario { get; set; }

    public byte[] SourceIpsJson { get; set; } = [];

    public string? UserAgent { get; set; }

    public string Verb { get; set; } = "";

    public string RequestUri { get; set; } = "";

    public ApiResource? Resource { get; set; }

    public string? Namespace { get; set; }

    /// <summary>The name in the URL.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The name a create carries in its body. The audit layer learns it only when it decodes the body, so the
    /// RequestReceived stage never shows it; generateName creates never have one.
    /// </summary>
    public string? BodyName { get; set; }

    public string? Subresource { get; set; }

    /// <summary>uid and resourceVersion an update carries in its body, copied into objectRef.</summary>
    public string? ObjectUid { get; set; }

    public long ObjectResourceVersion { get; set; }

    /// <summary>The resourceVersion a successful write gives the object, shown in response bodies.</summary>
    public long NewResourceVersion { get; set; }

    public AuditLevel Level { get; set; }

    public bool EmitRequestReceived { get; set; }

    public int Code { get; set; }

    /// <summary>False when authentication failed: no authorizer ran, so no authorization annotations.</summary>
    public bool Authorized { get; set; } = true;

    public bool Allowed { get; set; } = true;

    public string Reason { get; set; } = "";

    public string? StatusReason { get; set; }

    public string? StatusMessage { get; set; }

    public string? DetailsKind { get; set; }

    public string? CauseField { get; set; }

    public string? CauseReason { get; set; }

    public string? CauseMessage { get; set; }

    /// <summary>Deletes of most resources answer with a Success Status that names the deleted object.</summary>
    public string? DeletedUid { get; set; }

    /// <summary>Extra annotations; written sorted by key together with the authorization ones.</summary>
    public List<KeyValuePair<string, string>> Annotations { get; } = new(4);

    public IObjectBody? Body { get; set; }

    public Workload? Workload { get; set; }

    public PodModel? Pod { get; set; }

    public NodeModel? Node { get; set; }

    /// <summary>A small per-request number bodies use for variety (replica counts, revisions).</summary>
    public int Variant { get; set; }

    public long ReceivedMicros { get; set; }

    public long LatencyMicros { get; set; }

    /// <summary>For long-running requests: how long the watch, stream or session stays open.</summary>
    public long DurationMicros { get; set; }

    public bool LongRunning { get; set; }

    public bool Panics { get; set; }

    public bool FailedAuthentication { get; set; }

    public int PendingStages { get; set; }

    public bool Written { get; set; }

    public string? DetailsName => Name ?? BodyName;

    public bool Failed => Code >= 400;

    public int CodeAt(AuditStage stage) => stage == AuditStage.Panic ? 500 : Code;

    /// <summary>Delays the request by a few milliseconds, for requests a client sends one after another.</summary>
    public AuditRequest After(long micros)
    {
        ReceivedMicros += micros;
        return this;
    }

    public AuditRequest With(IObjectBody body)
    {
        Body = body;
        return this;
    }

    public AuditRequest Annotate(string key, string value)
    {
        Annotations.Add(new(key, value));
        return this;
    }

    public void Reset()
    {
        User = null;
        Impersonated = null;
        Attack = null;
        Scenario = 0;
        UserAgent = null;
        Resource = null;
        Namespace = null;
        Name = null;
        BodyName = null;
        Subresource = null;
        ObjectUid = null;
        ObjectResourceVersion = 0;
        NewResourceVersion = 0;
        Authorized = true;
        Allowed = true;
        StatusReason = null;
        StatusMessage = null;
        DetailsKind = null;
        CauseField = null;
        CauseReason = null;
        CauseMessage = null;
        DeletedUid = null;
        Annotations.Clear();
        Body = null;
        Workload = null;
        Pod = null;
        Node = null;
        Variant = 0;
        LatencyMicros = 0;
        DurationMicros = 0;
        LongRunning = false;
        Panics = false;
        FailedAuthentication = false;
        Written = false;
    }
}
