using System.Text.Json;
using Auditrail.Core.Writing;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Engine;

/// <summary>The JSON form of an alert, shared by <c>auditrail scan -o json</c> and the sinks that forward alerts.</summary>
public static class AlertJson
{
    public static void Write(Utf8JsonWriter writer, Alert alert)
    {
        writer.WriteStartObject();
        WriteOptional(writer, "id", alert.Id);
        writer.WriteString("rule", alert.Rule);
        writer.WriteString("severity", alert.Severity.ToWireName());
        if (alert.Time is { } time)
        {
            writer.WriteString("time", AuditEventJsonWriter.FormatTime(time));
        }

        WriteOptional(writer, "cluster", alert.Cluster);
        WriteOptional(writer, "identity", alert.Identity);
        WriteOptional(writer, "identityKind", alert.IdentityKind);
        WriteOptional(writer, "impersonator", alert.Impersonator);
        WriteOptional(writer, "verb", alert.Verb);
        WriteOptional(writer, "target", alert.Target);
        WriteOptional(writer, "sourceIP", alert.SourceIp);
        writer.WriteString("message", alert.Message);
        writer.WriteStartArray("tags");
        foreach (var tag in alert.Tags)
        {
            writer.WriteStringValue(tag);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("auditIDs");
        foreach (var id in alert.AuditIds)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
        writer.WriteNumber("count", alert.Count);
        if (alert.Window is { } window)
        {
            writer.WriteNumber("windowSeconds", window.TotalSeconds);
        }

        WriteOptional(writer, "detail", alert.Detail);

        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
