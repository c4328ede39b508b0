using System.Text.Json;
using Auditrail.Core.Writing;

namespace Auditrail.Storage.Queries;

/// <summary>
/// The query results as JSON properties, one shape for <c>auditrail query -o json</c> and the server's
/// <c>/api/v1</c> endpoints, so a script can move between the two. Names follow the audit event's own
/// (<c>auditID</c>, <c>sourceIP</c>, <c>requestURI</c>); absent values are left out.
/// </summary>
public static class QueryJson
{
    /// <summary>One request as a JSON object.</summary>
    public static void WriteEvent(Utf8JsonWriter writer, EventSummary row)
    {
        writer.WriteStartObject();
        WriteTime(writer, "time", row.Time);
        WriteIf(writer, "cluster", row.Cluster);
        writer.WriteString("auditID", row.AuditId);
        writer.WriteString("stage", row.Stage);
        WriteIf(writer, "verb", row.Verb);
        WriteIf(writer, "user", row.User);
        WriteIf(writer, "userKind", row.UserKind);
        WriteIf(writer, "impersonatedUser", row.ImpersonatedUser);
        WriteIf(writer, "sourceIP", row.SourceIp);
        WriteIf(writer, "userAgent", row.UserAgent);
        WriteIf(writer, "apiGroup", row.ApiGroup);
        WriteIf(writer, "resource", row.Resource);
        WriteIf(writer, "subresource", row.Subresource);
        WriteIf(writer, "namespace", row.Namespace);
        WriteIf(writer, "name", row.Name);
        if (row.Code is { } code)
        {
            writer.WriteNumber("code", code);
        }

        WriteIf(writer, "decision", row.Decision);
        WriteIf(writer, "reason", row.Reason);
        WriteIf(writer, "requestURI", row.RequestUri);
        writer.WriteEndObject();
    }

    /// <summary>Requests as the array property <paramref name="name"/>.</summary>
    public static void WriteEvents(Utf8JsonWriter writer, string name, IReadOnlyList<EventSummary> rows)
    {
        writer.WriteStartArray(name);
        foreach (var row in rows)
        {
            WriteEvent(writer, row);
        }

        writer.WriteEndArray();
    }

    /// <summary>The <c>identities</c> array of <see cref="IEventStore.Changes"/>.</summary>
    public static void WriteChanges(Utf8JsonWriter writer, IReadOnlyList<IdentityChanges> groups)
    {
        writer.WriteStartArray("identities");
        foreach (var group in groups)
        {
            writer.WriteStartObject();
            WriteIf(writer, "user", group.User);
            WriteIf(writer, "userKind", group.UserKind);
            writer.WriteNumber("total", group.Total);
            WriteTime(writer, "first", group.First);
            WriteTime(writer, "last", group.Last);
            WriteEvents(writer, "requests", group.Requests);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The <c>denied</c> array of <see cref="IEventStore.Denied"/>.</summary>
    public static void WriteDenied(Utf8JsonWriter writer, IReadOnlyList<DeniedGroup> groups)
    {
        writer.WriteStartArray("denied");
        foreach (var group in groups)
        {
            writer.WriteStartObject();
            WriteIf(writer, "user", group.User);
            WriteIf(writer, "userKind", group.UserKind);
            WriteIf(writer, "sourceIP", group.SourceIp);
            writer.WriteNumber("count", group.Count);
            writer.WriteNumber("unauthorized", group.Unauthorized);
            writer.WriteNumber("forbidden", group.Forbidden);
            WriteTime(writer, "first", group.First);
            WriteTime(writer, "last", group.Last);
            WriteStrings(writer, "targets", group.Targets);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The <c>alerts</c> array of <see cref="IEventStore.Alerts"/>.</summary>
    public static void WriteAlerts(Utf8JsonWriter writer, IReadOnlyList<StoredAlert> alerts)
    {
        writer.WriteStartArray("alerts");
        foreach (var alert in alerts)
        {
            writer.WriteStartObject();
            WriteIf(writer, "id", alert.Id);
            WriteTime(writer, "time", alert.Time);
            WriteIf(writer, "cluster", alert.Cluster);
            writer.WriteString("rule", alert.Rule);
            writer.WriteString("severity", alert.Severity);
            WriteIf(writer, "identity", alert.Identity);
            WriteIf(writer, "identityKind", alert.IdentityKind);
            WriteIf(writer, "impersonator", alert.Impersonator);
            WriteIf(writer, "target", alert.Target);
            WriteIf(writer, "verb", alert.Verb);
            WriteIf(writer, "sourceIP", alert.SourceIp);
            writer.WriteString("message", alert.Message);
            WriteIf(writer, "detail", alert.Detail);
            writer.WriteNumber("count", alert.Count);
            WriteStrings(writer, "tags", alert.Tags);
            WriteStrings(writer, "auditIDs", alert.AuditIds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The <c>columns</c>, <c>rows</c> (objects by column name) and <c>truncated</c> properties of a SQL result.</summary>
    public static void WriteSql(Utf8JsonWriter writer, SqlResult result)
    {
        WriteStrings(writer, "columns", result.Columns);
        writer.WriteStartArray("rows");
        foreach (var row in result.Rows)
        {
            writer.WriteStartObject();
            for (var i = 0; i < row.Length; i++)
            {
                writer.WritePropertyName(result.Columns[i]);
                WriteValue(writer, row[i]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteBoolean("truncated", result.Truncated);
    }

    /// <summary>A SQL value as JSON: numbers and booleans as such, times in RFC 3339, lists as arrays, the rest as text.</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case System.Numerics.BigInteger big:
                // HUGEINT (sum of BIGINTs): exact as a JSON number, which has no size limit.
                writer.WriteRawValue(big.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case float or double or decimal:
                writer.WriteNumberValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset time:
                writer.WriteStringValue(AuditEventJsonWriter.FormatTime(time));
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case System.Collections.IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>A SQL value as table text: times in RFC 3339, lists in brackets.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        DateTimeOffset time => AuditEventJsonWriter.FormatTime(time),
        string text => text,
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Text)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, AuditEventJsonWriter.FormatTime(value));
        }
    }

    private static void WriteIf(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
