using System.Text.Json;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Writing;

/// <summary>
/// metav1.Status as it appears in <c>responseStatus</c> (bounded fields only) and, with its type, as the
/// <c>responseObject</c> of failed RequestResponse events and of deletes.
/// </summary>
internal static class StatusJson
{
    private const string PanicMessage = "APIServer panic'd: runtime error: invalid memory address or nil pointer dereference";

    public static void Write(Utf8JsonWriter w, AuditRequest r, AuditStage stage, bool asObject)
    {
        w.WriteStartObject();
        if (asObject)
        {
            w.WriteString("kind"u8, "Status"u8);
            w.WriteString("apiVersion"u8, "v1"u8);
        }

        w.WriteStartObject("metadata"u8);
        w.WriteEndObject();
        if (stage == AuditStage.Panic)
        {
            w.WriteString("status"u8, "Failure"u8);
            w.WriteString("message"u8, PanicMessage);
            w.WriteString("reason"u8, "InternalError"u8);
        }
        else if (r.FailedAuthentication)
        {
            w.WriteString("message"u8, r.StatusMessage);
        }
        else if (stage == AuditStage.ResponseComplete && r.Failed)
        {
            w.WriteString("status"u8, "Failure"u8);
            w.WriteString("message"u8, r.StatusMessage);
            w.WriteString("reason"u8, r.StatusReason);
            WriteDetails(w, r, uid: null);
        }
        else if (stage == AuditStage.ResponseComplete && r.DeletedUid is { } uid)
        {
            w.WriteString("status"u8, "Success"u8);
            WriteDetails(w, r, uid);
        }
        else if (asObject)
        {
            w.WriteString("status"u8, "Success"u8);
        }

        w.WriteNumber("code"u8, r.CodeAt(stage));
        w.WriteEndObject();
    }

    private static void WriteDetails(Utf8JsonWriter w, AuditRequest r, string? uid)
    {
        w.WriteStartObject("details"u8);
        if (r.Resource is { } resource)
        {
            if (r.DetailsName is { } name)
            {
                w.WriteString("name"u8, name);
            }

            if (resource.Group.Length > 0)
            {
                w.WriteString("group"u8, resource.Group);
            }

            w.WriteString("kind"u8, r.DetailsKind ?? resource.Resource);
            if (uid is not null)
            {
                w.WriteString("uid"u8, uid);
            }

            if (r.CauseField is { } field)
            {
                w.WriteStartArray("causes"u8);
                w.WriteStartObject();
                w.WriteString("reason"u8, r.CauseReason);
                w.WriteString("message"u8, r.CauseMessage);
                w.WriteString("field"u8, field);
                w.WriteEndObject();
                w.WriteEndArray();
            }
        }

        w.WriteEndObject();
    }
}
