using Auditrail.Core.Identity;
using Auditrail.Core.Model;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Schema;
using DuckDB.NET.Data;

namespace Auditrail.Storage.Writing;

/// <summary>
/// The store's single writer. Events are prepared (typed fields read, JSON compressed) into an
/// in-memory batch; every <see cref="BatchSize"/> events the batch is merged into <c>events</c> in one
/// transaction, so readers see whole batches and a multi-stage request never appears twice.
/// </summary>
/// <remarks>
/// The merge keeps one row per auditID: the most complete stage wins, and a record whose request is
/// already stored at the same or a better stage is skipped, which makes a re-import add nothing.
/// Duplicates inside a batch are resolved in memory (a dictionary by auditID), so DuckDB only has to
/// answer which of the batch's auditIDs it already holds: the batch's keys go into a two-column temp
/// table and one join returns the stored stages. That join only looks at stored rows whose
/// requestReceivedTimestamp lies in the batch's range (every stage of a request carries the same
/// one), so DuckDB's per-row-group min/max skips the rest of history instead of the merge growing with
/// the store. The surviving rows are then appended, in time order, straight into <c>events</c> inside
/// the transaction: no staging copy, no window function or sort over the event payloads.
/// Not thread-safe: one thread appends.
/// </remarks>
public sealed partial class EventWriter : IDisposable
{
    /// <summary>
    /// Records per merge: two of DuckDB's row groups (122,880 rows each). A transaction that appends at
    /// least a row group's worth has DuckDB compress and write the rows straight into the file; a smaller
    /// one goes through the write-ahead log and is compressed a second time when the log is checkpointed,
    /// which cost more than the appends themselves (100,000 records per merge: merges about twice as slow, one run each on 500k events).
    /// Memory: the batch holds each record's compressed frame and column values, well under 1 KB a record.
    /// </summary>
    public const int DefaultBatchSize = 2 * 122_880;

    private const string BatchKeys = "auditrail_batch_keys";

    private readonly DuckDBConnection _connection;
    private readonly Action _release;
    private readonly List<PendingRow?> _pendingRows = [];
    private readonly Dictionary<string, int> _pendingByAuditId = new(StringComparer.Ordinal);
    private readonly FrameCompressor _frames;

    /// <summary>Scratch space for the stripped JSON, reused by every event.</summary>
    private byte[] _stripped = [];
    private DateTimeOffset? _receivedMin;
    private DateTimeOffset? _receivedMax;
    private bool _pendingWithoutReceived;
    private long _received;
    private long _inserted;
    private long _superseded;
    private long _alerts;
    private long _mergeTicks;
    private bool _disposed;

    internal EventWriter(DuckDBConnection connection, Action release, int batchSize)
    {
        _connection = connection;
        _release = release;
        BatchSize = batchSize;
        StoreSchema.Execute(_connection, $"CREATE OR REPLACE TEMP TABLE {BatchKeys} (audit_id VARCHAR NOT NULL, stage_rank TINYINT NOT NULL)");
        var (dictionaryId, dictionary) = EventCodec.LoadNewest(_connection);
        _frames = new FrameCompressor(dictionaryId, dictionary, trained => EventCodec.Save(_connection, trained));
    }

    public int BatchSize { get; }

    public IngestCounters Counters => new() { Received = _received, Inserted = _inserted, Superseded = _superseded, Alerts = _alerts, MergeTime = TimeSpan.FromTicks(_mergeTicks) };

    /// <summary>Appends one event (its JSON as read, which the reader has redacted); merged at the next batch boundary or <see cref="Flush"/>.</summary>
    public void Append(AuditEvent auditEvent)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var username = auditEvent.UserName;
        var groups = auditEvent.UserGroups;
        var row = new PendingRow(
            auditEvent.Time,
            auditEvent.RequestReceivedTimestamp,
            auditEvent.Cluster,
            auditEvent.AuditId ?? string.Empty,
            auditEvent.Stage.ToWireName(),
            StoreSchema.StageRank(auditEvent.Stage),
            auditEvent.Verb,
            username,
            IdentityClassifier.Classify(username, groups).Kind.ToWireName(),
            groups.Count == 0 ? null : [.. groups], // the reader may reuse its lists; the batch outlives this call
            auditEvent.ImpersonatedUserName,
            auditEvent.SourceIp,
            auditEvent.UserAgent,
            auditEvent.ApiGroup,
            auditEvent.Resource,
            auditEvent.Subresource,
            auditEvent.Namespace,
            auditEvent.Name,
            auditEvent.ResponseCode == 0 ? null : auditEvent.ResponseCode,
            auditEvent.AuthorizationDecision,
            auditEvent.AuthorizationReason,
            auditEvent.RequestUri,
            auditEvent.Level.ToWireName(),
            _frames.Compress(EventFields.Strip(auditEvent.Json.Span, new(auditEvent.AuditId ?? string.Empty, auditEvent.RequestUri, auditEvent.Verb, auditEvent.UserAgent, auditEvent.RequestReceivedTimestamp, auditEvent.Time), ref _stripped)),
            _frames.DictionaryId); // after Compress, which may have switched to a new dictionary
        _received++;
        TrackReceived(auditEvent.RequestReceivedTimestamp);
        Keep(row);
        if (_pendingRows.Count >= BatchSize)
        {
            Flush();
        }
    }

    /// <summary>Stores an alert unless the same one (rule, time, first audit ID, identity) is stored already.</summary>
    public void AppendAlert(Alert alert)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO alerts ({AlertColumns})
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::VARCHAR[], $15, $16::VARCHAR[], $17, $18
            WHERE NOT EXISTS (
                SELECT 1 FROM alerts
                WHERE rule = $3 AND time IS NOT DISTINCT FROM $1 AND audit_id IS NOT DISTINCT FROM $15 AND identity IS NOT DISTINCT FROM $6)
            """;
        AddParameters(command, AlertValues(alert));
        _alerts += command.ExecuteNonQuery();
    }

    /// <summary>Merges the pending batch into the events table (one transaction).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pendingByAuditId.Count == 0 && _inCommit is null)
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var rows = _pendingRows.OfType<PendingRow>().ToList();
        using (var transaction = _connection.BeginTransaction())
        {
            StoreSchema.Execute(_connection, $"DELETE FROM {BatchKeys}");
            using (var keys = _connection.CreateAppender(BatchKeys))
            {
                foreach (var row in rows)
                {
                    keys.CreateRow().AppendValue(row.AuditId).AppendValue(row.StageRank).EndRow();
                }
            }

            var stored = StoredStages();
            var needsSupersede = false;
            rows.RemoveAll(row =>
            {
                if (!stored.TryGetValue(row.AuditId, out var best))
                {
                    return false;
                }

                needsSupersede |= best < row.StageRank;
                return best >= row.StageRank;
            });
            if (needsSupersede)
            {
                _superseded += Execute($"""
                    DELETE FROM events e USING {BatchKeys} k
                    WHERE e.audit_id = k.audit_id AND e.stage_rank < k.stage_rank AND {RangeCondition}
                    """);
            }

            // Time order (stable, missing times last, as ORDER BY time would) gives row groups tight min/max ranges.
            using (var appender = _connection.CreateAppender("events"))
            {
                foreach (var row in rows.OrderBy(r => r.Time is null).ThenBy(r => r.Time))
                {
                    row.AppendTo(appender);
                }
            }

            _inCommit?.Invoke();
            transaction.Commit();
        }

        _inserted += rows.Count;
        _mergeTicks += System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks;
        _pendingRows.Clear();
        _pendingByAuditId.Clear();
        _receivedMin = _receivedMax = null;
        _pendingWithoutReceived = false;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Flush();
        }
        finally
        {
            _disposed = true;
            _frames.Dispose();
            _connection.Dispose();
            _release();
        }
    }

    private void TrackReceived(DateTimeOffset? received)
    {
        if (received is not { } value)
        {
            _pendingWithoutReceived = true;
            return;
        }

        if (_receivedMin is null || value < _receivedMin)
        {
            _receivedMin = value;
        }

        if (_receivedMax is null || value > _receivedMax)
        {
            _receivedMax = value;
        }
    }

    /// <summary>Stored rows a merge has to look at: those whose requestReceivedTimestamp lies in the batch's range, or all when a record lacked one.</summary>
    private string RangeCondition => _pendingWithoutReceived || _receivedMin is null ? "TRUE" : "e.received BETWEEN $1 AND $2";

    /// <summary>The best stored stage of each of the batch's auditIDs that the store already holds.</summary>
    private Dictionary<string, sbyte> StoredStages()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            SELECT e.audit_id, max(e.stage_rank) FROM events e SEMI JOIN {BatchKeys} k ON e.audit_id = k.audit_id
            WHERE {RangeCondition} GROUP BY e.audit_id
            """;
        AddRange(command);
        using var reader = command.ExecuteReader();
        var stored = new Dictionary<string, sbyte>(StringComparer.Ordinal);
        while (reader.Read())
        {
            stored[reader.GetString(0)] = reader.GetFieldValue<sbyte>(1);
        }

        return stored;
    }

    private int Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        AddRange(command);
        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// Keeps the request's most complete record within the batch: a higher stage rank wins, and among
    /// equal ranks the later record (as the merge's ORDER BY stage_rank DESC, time DESC did).
    /// </summary>
    private void Keep(PendingRow row)
    {
        if (_pendingByAuditId.TryGetValue(row.AuditId, out var index))
        {
            var kept = _pendingRows[index]!;
            var later = row.Time > kept.Time || (kept.Time is null && row.Time is not null); // DuckDB sorts NULL last, DESC too
            if (row.StageRank > kept.StageRank || (row.StageRank == kept.StageRank && later))
            {
                _pendingRows[index] = null;
                _pendingByAuditId[row.AuditId] = _pendingRows.Count;
                _pendingRows.Add(row);
            }
            else
            {
                // Counted towards the batch size all the same: it bounds the records held, not the rows.
                _pendingRows.Add(null);
            }

            return;
        }

        _pendingByAuditId[row.AuditId] = _pendingRows.Count;
        _pendingRows.Add(row);
    }

    private void AddRange(DuckDBCommand command)
    {
        if (!_pendingWithoutReceived && _receivedMin is { } min && _receivedMax is { } max)
        {
            command.Parameters.Add(new DuckDBParameter(min));
            command.Parameters.Add(new DuckDBParameter(max));
        }
    }

    /// <summary>One event's row, prepared for the Appender (column order of <see cref="StoreSchema.EventColumns"/>).</summary>
    private sealed record PendingRow(
        DateTimeOffset? Time,
        DateTimeOffset? Received,
        string? Cluster,
        string AuditId,
        string Stage,
        sbyte StageRank,
        string? Verb,
        string? Username,
        string UserKind,
        string[]? Groups,
        string? ImpersonatedUser,
        string? SourceIp,
        string? UserAgent,
        string? ApiGroup,
        string? Resource,
        string? Subresource,
        string? Namespace,
        string? Name,
        int? Code,
        string? Decision,
        string? Reason,
        string? RequestUri,
        string Level,
        byte[] Event,
        int DictionaryId)
    {
        public void AppendTo(DuckDBAppender appender) => appender.CreateRow()
            .AppendValue(Time)
            .AppendValue(Received)
            .AppendValue(Cluster)
            .AppendValue(AuditId)
            .AppendValue(Stage)
            .AppendValue(StageRank)
            .AppendValue(Verb)
            .AppendValue(Username)
            .AppendValue(UserKind)
            .AppendValue(Groups)
            .AppendValue(ImpersonatedUser)
            .AppendValue(SourceIp)
            .AppendValue(UserAgent)
            .AppendValue(ApiGroup)
            .AppendValue(Resource)
            .AppendValue(Subresource)
            .AppendValue(Namespace)
            .AppendValue(Name)
            .AppendValue(Code)
            .AppendValue(Decision)
            .AppendValue(Reason)
            .AppendValue(RequestUri)
            .AppendValue(Level)
            .AppendValue(Event)
            .AppendValue(DictionaryId)
            .EndRow();
    }
}
