using System.Globalization;
using System.Text.Json;
using Auditrail.Core.Model;

namespace Auditrail.Core.Writing;

/// <summary>
/// Writes an event as a normalized audit.k8s.io/v1 Event: the same document whatever the input format
/// (v1beta1, GKE, EKS, AKS), with the fields in the order the apiserver writes them. Nested objects
/// are copied as they were read (after redaction), never re-encoded.
/// </summary>
public static class AuditEventJsonWriter
{
    private const string KubernetesMicroTime = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static void Write(AuditEvent e, Utf8JsonWriter writer) => Write(e, writer, e.Level);

    /// <summary>
    /// Writes the event as the apiserver would have at <paramref name="level"/>: below Request without
    /// requestObject, below RequestResponse without responseObject. A level above the recorded one
    /// cannot add bodies the log never had, and at the recorded level the event is written as read
    /// (bodies included even when they disagree with its level); only the level field changes.
    /// </summary>
    public static void Write(AuditEvent e, Utf8JsonWriter writer, AuditLevel level)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, "Event"u8);
        writer.WriteString("apiVersion"u8, "audit.k8s.io/v1"u8);
        writer.WriteString("level"u8, level.ToWireName());
        WriteString(writer, "auditID"u8, e, EventSlot.AuditId);
        writer.WriteString("stage"u8, e.Stage.ToWireName());
        WriteString(writer, "requestURI"u8, e, EventSlot.RequestUri);
        WriteString(writer, "verb"u8, e, EventSlot.Verb);
        WriteRaw(writer, "user"u8, e, EventSlot.User, "{}"u8);
        WriteRaw(writer, "impersonatedUser"u8, e, EventSlot.ImpersonatedUser);
        WriteRaw(writer, "sourceIPs"u8, e, EventSlot.SourceIps);
        WriteString(writer, "userAgent"u8, e, EventSlot.UserAgent);
        WriteRaw(writer, "objectRef"u8, e, EventSlot.ObjectRef);
        WriteRaw(writer, "responseStatus"u8, e, EventSlot.ResponseStatus);
        var lowered = level < e.Level;
        if (!lowered || level >= AuditLevel.Request)
        {
            WriteRaw(writer, "requestObject"u8, e, EventSlot.RequestObject);
        }

        if (!lowered || level >= AuditLevel.RequestResponse)
        {
            WriteRaw(writer, "responseObject"u8, e, EventSlot.ResponseObject);
        }

        WriteTime(writer, "requestReceivedTimestamp"u8, e.RequestReceivedTimestamp);
        WriteTime(writer, "stageTimestamp"u8, e.StageTimestamp);
        WriteRaw(writer, "annotations"u8, e, EventSlot.Annotations);
        writer.WriteEndObject();
    }

    /// <summary>Formats a time as Kubernetes MicroTime, the form audit logs use.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString(KubernetesMicroTime, CultureInfo.InvariantCulture);

    private static void WriteString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, AuditEvent e, EventSlot slot)
    {
        var s = e.GetSlot(slot);
        if (!s.IsPresent)
        {
            return;
        }

        if (s.Escaped)
        {
            writer.WriteString(name, e.GetString(slot));
        }
        else
        {
            writer.WriteString(name, e.GetRaw(slot));
        }
    }

    private static void WriteRaw(Utf8JsonWriter writer, ReadOnlySpan<byte> name, AuditEvent e, EventSlot slot, ReadOnlySpan<byte> fallback = default)
    {
        var raw = e.GetRaw(slot);
        if (raw.IsEmpty)
        {
            if (fallback.IsEmpty)
            {
                return;
            }

            raw = fallback;
        }

        writer.WritePropertyName(name);

        // The parser has already validated these bytes as JSON.
        writer.WriteRawValue(raw, skipInputValidation: true);
    }

    private static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset? time)
    {
        if (time is not { } value)
        {
            return;
        }

        Span<byte> buffer = stackalloc byte[32];
        value.UtcDateTime.TryFormat(buffer, out var written, KubernetesMicroTime, CultureInfo.InvariantCulture);
        writer.WriteString(name, buffer[..written]);
    }
}
