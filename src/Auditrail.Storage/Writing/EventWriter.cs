using Auditrail.Core.Identity;
using Auditrail.Core.Model;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Schema;
using System.Runtime.InteropServices;
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
    private readonly List<PendingRow> _pendingRows = [];
    private readonly ByteArena _bytes = new();
    private readonly GroupLists _groupLists = new();
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
        var auditId = auditEvent.AuditId ?? string.Empty;
        var username = auditEvent.UserName;
        var groups = _groupLists.Of(auditEvent);
        var verb = auditEvent.Verb;
        var userAgent = auditEvent.UserAgent;
        var requestUri = auditEvent.RequestUri;
        var frame = _frames.Compress(EventFields.Strip(auditEvent.Json.Span, new(auditId, requestUri, verb, userAgent, auditEvent.RequestReceivedTimestamp, auditEvent.Time), ref _stripped));
        var row = new PendingRow
        {
            Time = auditEvent.Time,
            Received = auditEvent.RequestReceivedTimestamp,
            AuditId = auditId,
            Stage = auditEvent.Stage,
            StageRank = StoreSchema.StageRank(auditEvent.Stage),
            UserKind = IdentityClassifier.Classify(username, groups).Kind,
            Groups = groups,
            Code = auditEvent.ResponseCode == 0 ? null : auditEvent.ResponseCode,
            Level = auditEvent.Level,
            DictionaryId = _frames.DictionaryId, // after Compress, which may have switched to a new dictionary
            Cluster = Utf8(auditEvent, EventSlot.Cluster),
            Verb = _bytes.Add(verb),
            Username = _bytes.Add(username),
            ImpersonatedUser = Utf8(auditEvent, EventSlot.ImpersonatedUserName),
            SourceIp = Utf8(auditEvent, EventSlot.FirstSourceIp),
            UserAgent = _bytes.Add(userAgent),
            ApiGroup = Utf8(auditEvent, EventSlot.ObjectApiGroup),
            Resource = Utf8(auditEvent, EventSlot.ObjectResource),
            Subresource = Utf8(auditEvent, EventSlot.ObjectSubresource),
            Namespace = Utf8(auditEvent, EventSlot.ObjectNamespace),
            Name = Utf8(auditEvent, EventSlot.ObjectName),
            Decision = Utf8(auditEvent, EventSlot.AuthorizationDecision),
            Reason = Utf8(auditEvent, EventSlot.AuthorizationReason),
            RequestUri = _bytes.Add(requestUri),
            Event = _bytes.Add(frame),
        };
        _received++;
        TrackReceived(auditEvent.RequestReceivedTimestamp);
        Keep(row);
        if (_pendingRows.Count >= BatchSize)
        {
            Flush();
        }
    }

    /// <summary>
    /// A text column's value copied into the batch straight from the event's UTF-8, without the .NET
    /// string the property would allocate (the reader has validated the bytes); a value with JSON escapes
    /// goes through the unescaped string.
    /// </summary>
    private ArenaSlice Utf8(AuditEvent auditEvent, EventSlot slot) =>
        auditEvent.TryGetUtf8(slot, out var utf8) ? _bytes.Add(utf8) : _bytes.Add(auditEvent.GetString(slot));

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
        var rows = CollectionsMarshal.AsSpan(_pendingRows);
        var text = new Utf8Text();
        var kept = new List<int>(_pendingByAuditId.Count);
        using (var transaction = _connection.BeginTransaction())
        {
            StoreSchema.Execute(_connection, $"DELETE FROM {BatchKeys}");
            using (var keys = _connection.CreateAppender(BatchKeys))
            {
                for (var i = 0; i < rows.Length; i++)
                {
                    if (!rows[i].Dropped)
                    {
                        keys.CreateRow().AppendText(rows[i].AuditId, text).AppendValue(rows[i].StageRank).EndRow();
                    }
                }
            }

            var stored = StoredStages();
            var needsSupersede = false;
            for (var i = 0; i < rows.Length; i++)
            {
                ref readonly var row = ref rows[i];
                if (row.Dropped)
                {
                    continue;
                }

                if (stored.TryGetValue(row.AuditId, out var best))
                {
                    needsSupersede |= best < row.StageRank;
                    if (best >= row.StageRank)
                    {
                        continue;
                    }
                }

                kept.Add(i);
            }

            if (needsSupersede)
            {
                _superseded += Execute($"""
                    DELETE FROM events e USING {BatchKeys} k
                    WHERE e.audit_id = k.audit_id AND e.stage_rank < k.stage_rank AND {RangeCondition}
                    """);
            }

            // Time order (missing times last, as ORDER BY time would; ties in arrival order, as a stable
            // sort keeps them) gives row groups tight min/max ranges.
            // The keys are read out first: comparing rows in place would copy the whole row struct per comparison.
            var times = new long[rows.Length];
            foreach (var index in kept)
            {
                times[index] = rows[index].Time?.UtcTicks ?? long.MaxValue; // above any DateTimeOffset
            }

            kept.Sort((a, b) =>
            {
                var byTime = times[a].CompareTo(times[b]);
                return byTime != 0 ? byTime : a.CompareTo(b);
            });
            using (var appender = _connection.CreateAppender("events"))
            {
                foreach (var index in kept)
                {
                    rows[index].AppendTo(appender, _bytes, text);
                }
            }

            _inCommit?.Invoke();
            transaction.Commit();
        }

        _inserted += kept.Count;
        _mergeTicks += System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks;
        ClearPending();
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
    private void Keep(in PendingRow row)
    {
        if (_pendingByAuditId.TryGetValue(row.AuditId, out var index))
        {
            ref var kept = ref CollectionsMarshal.AsSpan(_pendingRows)[index];
            var later = row.Time > kept.Time || (kept.Time is null && row.Time is not null); // DuckDB sorts NULL last, DESC too
            if (row.StageRank > kept.StageRank || (row.StageRank == kept.StageRank && later))
            {
                kept.Dropped = true;
                _pendingByAuditId[row.AuditId] = _pendingRows.Count;
                _pendingRows.Add(row);
            }
            else
            {
                // Counted towards the batch size all the same: it bounds the records held, not the rows.
                _pendingRows.Add(row with { Dropped = true });
            }

            return;
        }

        _pendingByAuditId[row.AuditId] = _pendingRows.Count;
        _pendingRows.Add(row);
    }

    /// <summary>Forgets the pending batch (merged or discarded); the byte arena's chunks are kept for the next one.</summary>
    private void ClearPending()
    {
        _pendingRows.Clear();
        _pendingByAuditId.Clear();
        _bytes.Clear();
        _receivedMin = _receivedMax = null;
        _pendingWithoutReceived = false;
    }

    private void AddRange(DuckDBCommand command)
    {
        if (!_pendingWithoutReceived && _receivedMin is { } min && _receivedMax is { } max)
        {
            command.Parameters.Add(new DuckDBParameter(min));
            command.Parameters.Add(new DuckDBParameter(max));
        }
    }

    /// <summary>
    /// One event's row, prepared for the Appender (column order of <see cref="StoreSchema.EventColumns"/>):
    /// a struct whose text and frame live in the writer's <see cref="ByteArena"/>, so a pending batch is
    /// a few large arrays rather than a quarter of a million objects for the collector to copy.
    /// </summary>
    private record struct PendingRow
    {
        public DateTimeOffset? Time;
        public DateTimeOffset? Received;
        public string AuditId;
        public AuditStage Stage;
        public sbyte StageRank;
        public IdentityKind UserKind;
        public string[]? Groups;
        public int? Code;
        public AuditLevel Level;
        public int DictionaryId;

        /// <summary>Superseded by a later record of the same request in the batch (still counted towards its size).</summary>
        public bool Dropped;

        public ArenaSlice Cluster;
        public ArenaSlice Verb;
        public ArenaSlice Username;
        public ArenaSlice ImpersonatedUser;
        public ArenaSlice SourceIp;
        public ArenaSlice UserAgent;
        public ArenaSlice ApiGroup;
        public ArenaSlice Resource;
        public ArenaSlice Subresource;
        public ArenaSlice Namespace;
        public ArenaSlice Name;
        public ArenaSlice Decision;
        public ArenaSlice Reason;
        public ArenaSlice RequestUri;
        public ArenaSlice Event;

        public readonly void AppendTo(DuckDBAppender appender, ByteArena bytes, Utf8Text text) => appender.CreateRow()
            .AppendValue(Time)
            .AppendValue(Received)
            .AppendBytes(Cluster, bytes)
            .AppendText(AuditId, text)
            .AppendText(Stage.ToWireName(), text)
            .AppendValue(StageRank)
            .AppendBytes(Verb, bytes)
            .AppendBytes(Username, bytes)
            .AppendText(UserKind.ToWireName(), text)
            .AppendValue(Groups)
            .AppendBytes(ImpersonatedUser, bytes)
            .AppendBytes(SourceIp, bytes)
            .AppendBytes(UserAgent, bytes)
            .AppendBytes(ApiGroup, bytes)
            .AppendBytes(Resource, bytes)
            .AppendBytes(Subresource, bytes)
            .AppendBytes(Namespace, bytes)
            .AppendBytes(Name, bytes)
            .AppendValue(Code)
            .AppendBytes(Decision, bytes)
            .AppendBytes(Reason, bytes)
            .AppendBytes(RequestUri, bytes)
            .AppendText(Level.ToWireName(), text)
            .AppendBytes(Event, bytes)
            .AppendValue(DictionaryId)
            .EndRow();
    }
}
