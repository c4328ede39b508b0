using Auditrail.Core.Identity;
using Auditrail.Core.Model;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Schema;
using DuckDB.NET.Data;

namespace Auditrail.Storage.Writing;

/// <summary>
/// The store's single writer. Events go through DuckDB's Appender into a connection-local staging
/// table; every <see cref="BatchSize"/> events the batch is merged into <c>events</c> in one transaction,
/// so readers see whole batches and a multi-stage request never appears twice.
/// </summary>
/// <remarks>
/// The merge keeps one row per auditID: the most complete stage wins, and a record whose request is
/// already stored at the same or a better stage is skipped, which makes a re-import add nothing. The
/// anti-join only looks at stored rows whose requestReceivedTimestamp lies in the batch's range (every
/// stage of a request carries the same one), so DuckDB's per-row-group min/max skips the rest of
/// history instead of the merge growing with the store. Not thread-safe: one thread appends.
/// </remarks>
public sealed class EventWriter : IDisposable
{
    /// <summary>Rows per merge: large enough that the merge's fixed cost is small, small enough to bound staging memory.</summary>
    public const int DefaultBatchSize = 100_000;

    private const string Staging = "auditrail_staging";

    private readonly DuckDBConnection _connection;
    private readonly Action _release;
    private readonly List<byte[]> _samples = [];
    private ZstdSharp.Compressor _compressor;
    private int _dictionaryId;
    private DuckDBAppender? _appender;
    private int _pending;
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
        StoreSchema.Execute(_connection, StoreSchema.CreateStaging(Staging));
        (_dictionaryId, var dictionary) = EventCodec.LoadNewest(_connection);
        _compressor = EventCodec.CreateCompressor(dictionary);
    }

    public int BatchSize { get; }

    public IngestCounters Counters => new() { Received = _received, Inserted = _inserted, Superseded = _superseded, Alerts = _alerts, MergeTime = TimeSpan.FromTicks(_mergeTicks) };

    /// <summary>Appends one event (its JSON as read, which the reader has redacted); merged at the next batch boundary or <see cref="Flush"/>.</summary>
    public void Append(AuditEvent auditEvent)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _appender ??= _connection.CreateAppender(Staging);
        var row = _appender.CreateRow();
        var username = auditEvent.UserName;
        var groups = auditEvent.UserGroups;
        row.AppendValue(auditEvent.Time)
            .AppendValue(auditEvent.RequestReceivedTimestamp)
            .AppendValue(auditEvent.Cluster)
            .AppendValue(auditEvent.AuditId ?? string.Empty)
            .AppendValue(auditEvent.Stage.ToWireName())
            .AppendValue(StoreSchema.StageRank(auditEvent.Stage))
            .AppendValue(auditEvent.Verb)
            .AppendValue(username)
            .AppendValue(IdentityClassifier.Classify(username, groups).Kind.ToWireName())
            .AppendValue(groups.Count == 0 ? null : groups)
            .AppendValue(auditEvent.ImpersonatedUserName)
            .AppendValue(auditEvent.SourceIp)
            .AppendValue(auditEvent.UserAgent)
            .AppendValue(auditEvent.ApiGroup)
            .AppendValue(auditEvent.Resource)
            .AppendValue(auditEvent.Subresource)
            .AppendValue(auditEvent.Namespace)
            .AppendValue(auditEvent.Name)
            .AppendValue(auditEvent.ResponseCode == 0 ? null : (int?)auditEvent.ResponseCode)
            .AppendValue(auditEvent.AuthorizationDecision)
            .AppendValue(auditEvent.AuthorizationReason)
            .AppendValue(auditEvent.RequestUri)
            .AppendValue(auditEvent.Level.ToWireName())
            .AppendValue(Compress(auditEvent.Json.Span))
            .AppendValue(_dictionaryId)
            .EndRow();
        _received++;
        _pending++;
        TrackReceived(auditEvent.RequestReceivedTimestamp);
        if (_pending >= BatchSize)
        {
            Flush();
        }
    }

    /// <summary>Stores an alert unless the same one (rule, time, first audit ID, identity) is stored already.</summary>
    public void AppendAlert(Alert alert)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO alerts
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::VARCHAR[], $15, $16::VARCHAR[], $17, $18
            WHERE NOT EXISTS (
                SELECT 1 FROM alerts
                WHERE rule = $3 AND time IS NOT DISTINCT FROM $1 AND audit_id IS NOT DISTINCT FROM $15 AND identity IS NOT DISTINCT FROM $6)
            """;
        object?[] values =
        [
            alert.Time, alert.Cluster, alert.Rule, alert.Severity.ToWireName(), (sbyte)alert.Severity,
            alert.Identity, alert.IdentityKind, alert.Impersonator, alert.Target, alert.Verb, alert.SourceIp, alert.Message, alert.Detail,
            alert.Tags.ToList(), alert.AuditIds.Count > 0 ? alert.AuditIds[0] : null, alert.AuditIds.ToList(), alert.Count, alert.Window?.TotalSeconds,
        ];
        foreach (var value in values)
        {
            command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        }

        _alerts += command.ExecuteNonQuery();
    }

    /// <summary>Merges the pending batch into the events table (one transaction).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_appender is null)
        {
            return;
        }

        _appender.Dispose(); // closing the appender writes its last chunk into staging
        _appender = null;
        if (_pending == 0)
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var transaction = _connection.BeginTransaction();
        var range = _pendingWithoutReceived || _receivedMin is null
            ? "TRUE"
            : "e.received BETWEEN $1 AND $2";
        using (var supersede = _connection.CreateCommand())
        {
            supersede.CommandText = $"""
                DELETE FROM events e USING (SELECT audit_id, max(stage_rank) AS best FROM {Staging} GROUP BY audit_id) s
                WHERE e.audit_id = s.audit_id AND e.stage_rank < s.best AND {range}
                """;
            AddRange(supersede);
            _superseded += supersede.ExecuteNonQuery();
        }

        using (var insert = _connection.CreateCommand())
        {
            insert.CommandText = $"""
                INSERT INTO events
                SELECT {StoreSchema.EventColumns} FROM {Staging} s
                WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.audit_id = s.audit_id AND e.stage_rank >= s.stage_rank AND {range})
                QUALIFY row_number() OVER (PARTITION BY s.audit_id ORDER BY s.stage_rank DESC, s.time DESC) = 1
                ORDER BY s.time
                """;
            AddRange(insert);
            _inserted += insert.ExecuteNonQuery();
        }

        StoreSchema.Execute(_connection, $"DELETE FROM {Staging}");
        transaction.Commit();
        _mergeTicks += System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks;
        _pending = 0;
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
            _appender?.Dispose();
            _compressor.Dispose();
            _connection.Dispose();
            _release();
        }
    }

    /// <summary>
    /// One zstd frame per event. Until the store has a dictionary, the first events are compressed
    /// without one and kept as samples; at <see cref="EventCodec.TrainingSamples"/> a dictionary is
    /// trained, stored, and used from the next event on.
    /// </summary>
    private byte[] Compress(ReadOnlySpan<byte> json)
    {
        if (_dictionaryId == 0 && _samples.Count < EventCodec.TrainingSamples)
        {
            _samples.Add(json.ToArray());
            if (_samples.Count == EventCodec.TrainingSamples && EventCodec.Train(_samples) is { } dictionary)
            {
                _dictionaryId = EventCodec.Save(_connection, dictionary);
                _compressor.Dispose();
                _compressor = EventCodec.CreateCompressor(dictionary);
                _samples.Clear();
                return Compress(json);
            }
        }

        return _compressor.Wrap(json).ToArray();
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

    private void AddRange(DuckDBCommand command)
    {
        if (!_pendingWithoutReceived && _receivedMin is { } min && _receivedMax is { } max)
        {
            command.Parameters.Add(new DuckDBParameter(min));
            command.Parameters.Add(new DuckDBParameter(max));
        }
    }
}
