using System.Globalization;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Queries;
using DuckDB.NET.Data;

namespace Auditrail.Storage.Writing;

/// <summary>An alert and the position, in the log its producer reads, of the input it came from.</summary>
public readonly record struct SequencedAlert(long Sequence, Alert Alert);

/// <summary>A producer's durable position (how far it has stored its input), committed with the data it covers.</summary>
public readonly record struct Checkpoint(string Name, long Position);

/// <summary>
/// Atomic commits for a producer that resumes from a log (the serve pipeline): pending events, the
/// alerts they raised and the producer's checkpoints go into the store in one transaction, so after a
/// crash the store holds either all of a batch and its checkpoint or none of it, and the producer
/// re-reads exactly what is not stored.
/// </summary>
public sealed partial class EventWriter
{
    private const string CheckpointKeyPrefix = "checkpoint:";

    private const string AlertColumns =
        "time, cluster, rule, severity, severity_rank, identity, identity_kind, impersonator, target, verb, source_ip, message, detail, tags, audit_id, audit_ids, event_count, window_seconds";

    /// <summary>Set during <see cref="Commit"/>: the extra writes <see cref="Flush"/> makes inside its transaction.</summary>
    private Action? _inCommit;

    /// <summary>
    /// Merges the pending events (as <see cref="Flush"/> does), inserts <paramref name="alerts"/> with
    /// their ids and sequences, and records <paramref name="checkpoints"/>, all in one transaction.
    /// Open the writer with a batch size larger than any batch the producer commits, so no event is
    /// merged ahead of its checkpoint by the automatic flush of <see cref="Append"/>.
    /// </summary>
    public void Commit(IReadOnlyList<SequencedAlert> alerts, IReadOnlyList<Checkpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(checkpoints);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var inserted = 0;
        _inCommit = () =>
        {
            inserted = AppendSequencedAlerts(alerts);
            foreach (var checkpoint in checkpoints)
            {
                using var upsert = _connection.CreateCommand();
                upsert.CommandText = "INSERT OR REPLACE INTO auditrail_meta VALUES ($1, $2)";
                upsert.Parameters.Add(new DuckDBParameter(CheckpointKeyPrefix + checkpoint.Name));
                upsert.Parameters.Add(new DuckDBParameter(checkpoint.Position.ToString(CultureInfo.InvariantCulture)));
                upsert.ExecuteNonQuery();
            }
        };
        try
        {
            Flush();
            _alerts += inserted;
        }
        finally
        {
            _inCommit = null;
        }
    }

    /// <summary>
    /// Forgets the events appended since the last commit without storing them, for a producer that
    /// failed in the middle of a batch: <see cref="Dispose"/> would otherwise merge them without their
    /// checkpoint, and the producer would read them again after its restart.
    /// </summary>
    public void DiscardPending()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ClearPending();
    }

    /// <summary>The position last committed under <paramref name="name"/> by <see cref="Commit"/>, or null when none was.</summary>
    public long? ReadCheckpoint(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM auditrail_meta WHERE key = $1";
        command.Parameters.Add(new DuckDBParameter(CheckpointKeyPrefix + name));
        return command.ExecuteScalar() is string text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var position) ? position : null;
    }

    /// <summary>
    /// Alerts committed with a sequence in (<paramref name="afterSequence"/>, <paramref name="throughSequence"/>],
    /// in the order they were committed, with the ids they were committed under.
    /// </summary>
    public IReadOnlyList<SequencedAlert> ReadAlerts(long afterSequence, long throughSequence)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            SELECT {RowReader.AlertColumns}, window_seconds, source_sequence FROM alerts
            WHERE source_sequence > $1 AND source_sequence <= $2
            ORDER BY source_sequence, rowid
            """;
        command.Parameters.Add(new DuckDBParameter(afterSequence));
        command.Parameters.Add(new DuckDBParameter(throughSequence));
        using var reader = command.ExecuteReader();
        var alerts = new List<SequencedAlert>();
        while (reader.Read())
        {
            var stored = RowReader.ReadAlert(reader);
            var alert = new Alert
            {
                Id = stored.Id,
                Rule = stored.Rule,
                Severity = SeverityNames.TryParse(stored.Severity, out var severity) ? severity : Severity.Medium,
                Time = stored.Time,
                Cluster = stored.Cluster,
                Identity = stored.Identity,
                IdentityKind = stored.IdentityKind,
                Impersonator = stored.Impersonator,
                Target = stored.Target,
                Verb = stored.Verb,
                SourceIp = stored.SourceIp,
                Message = stored.Message,
                Detail = stored.Detail,
                Tags = stored.Tags,
                AuditIds = stored.AuditIds,
                Count = stored.Count,
                Window = reader.IsDBNull(16) ? null : TimeSpan.FromSeconds(reader.GetDouble(16)),
            };
            alerts.Add(new SequencedAlert(RowReader.Long(reader, 17), alert));
        }

        return alerts;
    }

    /// <summary>The newest stored event time, or null for an empty store: where a warm-up replay of recent history ends.</summary>
    public DateTimeOffset? NewestEventTime()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT max(time) FROM events";
        using var reader = command.ExecuteReader();
        return reader.Read() ? RowReader.Time(reader, 0) : null;
    }

    /// <summary>The parameter values of an alert row, in <see cref="AlertColumns"/> order.</summary>
    private static object?[] AlertValues(Alert alert) =>
    [
        alert.Time, alert.Cluster, alert.Rule, alert.Severity.ToWireName(), (sbyte)alert.Severity,
        alert.Identity, alert.IdentityKind, alert.Impersonator, alert.Target, alert.Verb, alert.SourceIp, alert.Message, alert.Detail,
        alert.Tags.ToList(), alert.AuditIds.Count > 0 ? alert.AuditIds[0] : null, alert.AuditIds.ToList(), alert.Count, alert.Window?.TotalSeconds,
    ];

    /// <summary>
    /// Through DuckDB's appender (a row-at-a-time INSERT costs a statement each, which dominated commits
    /// of busy batches), and without <see cref="AppendAlert"/>'s existence check: the checkpoint committed
    /// with the alerts keeps the producer from raising them a second time. Columns in table order.
    /// </summary>
    private int AppendSequencedAlerts(IReadOnlyList<SequencedAlert> alerts)
    {
        if (alerts.Count == 0)
        {
            return 0;
        }

        using var appender = _connection.CreateAppender("alerts");
        foreach (var (sequence, alert) in alerts)
        {
            appender.CreateRow()
                .AppendValue(alert.Time)
                .AppendValue(alert.Cluster)
                .AppendValue(alert.Rule)
                .AppendValue(alert.Severity.ToWireName())
                .AppendValue((sbyte)alert.Severity)
                .AppendValue(alert.Identity)
                .AppendValue(alert.IdentityKind)
                .AppendValue(alert.Impersonator)
                .AppendValue(alert.Target)
                .AppendValue(alert.Verb)
                .AppendValue(alert.SourceIp)
                .AppendValue(alert.Message)
                .AppendValue(alert.Detail)
                .AppendValue(alert.Tags)
                .AppendValue(alert.AuditIds.Count > 0 ? alert.AuditIds[0] : null)
                .AppendValue(alert.AuditIds)
                .AppendValue(alert.Count)
                .AppendValue(alert.Window?.TotalSeconds)
                .AppendValue(alert.Id)
                .AppendValue((long?)sequence)
                .EndRow();
        }

        return alerts.Count;
    }

    private static void AddParameters(DuckDBCommand command, object?[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        }
    }
}
