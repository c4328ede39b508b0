using System.Collections;
using System.Data.Common;

namespace Auditrail.Storage.Queries;

/// <summary>Reads DuckDB values into the query models: times as UTC offsets, lists as string lists, NULL as null.</summary>
internal static class RowReader
{
    /// <summary>The select list that <see cref="ReadEvent"/> reads, in its order.</summary>
    public const string EventSummaryColumns =
        "time, cluster, audit_id, stage, verb, username, user_kind, source_ip, user_agent, api_group, resource, subresource, namespace, name, code, decision, reason, request_uri, impersonated_user";

    public static EventSummary ReadEvent(DbDataReader reader, int offset = 0) => new()
    {
        Time = Time(reader, offset),
        Cluster = Text(reader, offset + 1),
        AuditId = Text(reader, offset + 2) ?? string.Empty,
        Stage = Text(reader, offset + 3) ?? string.Empty,
        Verb = Text(reader, offset + 4),
        User = Text(reader, offset + 5),
        UserKind = Text(reader, offset + 6),
        SourceIp = Text(reader, offset + 7),
        UserAgent = Text(reader, offset + 8),
        ApiGroup = Text(reader, offset + 9),
        Resource = Text(reader, offset + 10),
        Subresource = Text(reader, offset + 11),
        Namespace = Text(reader, offset + 12),
        Name = Text(reader, offset + 13),
        Code = reader.IsDBNull(offset + 14) ? null : Convert.ToInt32(reader.GetValue(offset + 14), System.Globalization.CultureInfo.InvariantCulture),
        Decision = Text(reader, offset + 15),
        Reason = Text(reader, offset + 16),
        RequestUri = Text(reader, offset + 17),
        ImpersonatedUser = Text(reader, offset + 18),
    };

    /// <summary>The select list that <see cref="ReadAlert"/> reads, in its order.</summary>
    public const string AlertColumns =
        "time, cluster, rule, severity, identity, identity_kind, impersonator, target, verb, source_ip, message, detail, tags, audit_ids, event_count, alert_id";

    public static StoredAlert ReadAlert(DbDataReader reader) => new()
    {
        Time = Time(reader, 0),
        Cluster = Text(reader, 1),
        Rule = Text(reader, 2) ?? string.Empty,
        Severity = Text(reader, 3) ?? string.Empty,
        Identity = Text(reader, 4),
        IdentityKind = Text(reader, 5),
        Impersonator = Text(reader, 6),
        Target = Text(reader, 7),
        Verb = Text(reader, 8),
        SourceIp = Text(reader, 9),
        Message = Text(reader, 10) ?? string.Empty,
        Detail = Text(reader, 11),
        Tags = Strings(reader, 12),
        AuditIds = Strings(reader, 13),
        Count = (int)Long(reader, 14),
        Id = Text(reader, 15),
    };

    public static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long Long(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? 0 : Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ToTime(reader.GetValue(ordinal));

    public static IReadOnlyList<string> Strings(DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal) || reader.GetValue(ordinal) is not IEnumerable values)
        {
            return [];
        }

        return [.. values.Cast<object?>().Where(v => v is not null).Select(v => v!.ToString()!)];
    }

    /// <summary>A value as JSON and tables show it: times as UTC offsets, everything else as DuckDB.NET gives it.</summary>
    public static object? Plain(object? value) => value switch
    {
        null or DBNull => null,
        DateTime or DateTimeOffset => ToTime(value),
        _ => value,
    };

    private static DateTimeOffset ToTime(object value) => value switch
    {
        DateTimeOffset offset => offset.ToUniversalTime(),
        DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"expected a timestamp, found {value.GetType().Name}"),
    };
}
