using System.Text.Json;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>
/// The usual pair: the request carries the object as the client sends it, the response the object as stored
/// (uid, resourceVersion, creationTimestamp filled in). Updates send an object that was read back, so some
/// bodies write their request as stored too.
/// </summary>
internal abstract class ObjectBody : IObjectBody
{
    public virtual void WriteRequest(Utf8JsonWriter w, AuditRequest r) => Write(w, r, stored: r.Verb == Verbs.Update);

    public virtual bool HasResponse(AuditRequest r) => true;

    public void WriteResponse(Utf8JsonWriter w, AuditRequest r) => Write(w, r, stored: true);

    protected abstract void Write(Utf8JsonWriter w, AuditRequest r, bool stored);
}

/// <summary>Calls answered with a Status rather than an object: bindings, evictions, deletes.</summary>
internal abstract class StatusAnsweredBody : IObjectBody
{
    public abstract void WriteRequest(Utf8JsonWriter w, AuditRequest r);

    public virtual bool HasResponse(AuditRequest r) => true;

    public void WriteResponse(Utf8JsonWriter w, AuditRequest r) => Writing.StatusJson.Write(w, r, AuditStage.ResponseComplete, asObject: true);
}

/// <summary>Status patches the policy logs at Request level, so only the patch is ever written.</summary>
internal abstract class RequestOnlyBody : IObjectBody
{
    public abstract void WriteRequest(Utf8JsonWriter w, AuditRequest r);

    public bool HasResponse(AuditRequest r) => false;

    public void WriteResponse(Utf8JsonWriter w, AuditRequest r) => throw new NotSupportedException("Only the request of a status patch is logged.");
}
