using Auditrail.Storage.Queries;
using Auditrail.Storage.Retention;
using Auditrail.Storage.Schema;
using Auditrail.Storage.Writing;
using DuckDB.NET.Data;

namespace Auditrail.Storage;

/// <summary>
/// The embedded store: one DuckDB file. In one process, one writer and any number of readers share the
/// database (each reader on its own connection sees committed batches only). Across processes DuckDB
/// allows either one read-write process or several read-only ones, never both: open with
/// <see cref="StoreOptions.ReadOnly"/> to query a store no process is writing.
/// </summary>
public sealed class DuckDbEventStore : IEventStore
{
    private static readonly string[] MutatingVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    /// <summary>Held open for the store's lifetime: DuckDB.NET shares one database instance among the connections to a file while one is open.</summary>
    private readonly DuckDBConnection _connection;
    private readonly TimeProvider _time;
    private int _writerOpen;

    private DuckDbEventStore(DuckDBConnection connection, StoreOptions options)
    {
        _connection = connection;
        _time = options.Time;
        IsReadOnly = options.ReadOnly;
        Path = options.Path;
    }

    public string Path { get; }

    public bool IsReadOnly { get; }

    /// <summary>Opens (creating unless read-only) the store at <see cref="StoreOptions.Path"/> and brings its schema up to date.</summary>
    public static DuckDbEventStore Open(StoreOptions options)
    {
        if (options.ReadOnly && !File.Exists(options.Path))
        {
            throw new StoreException($"{options.Path}: no such store (import or scan with --store first)");
        }

        // The store never reads other files, so DuckDB's access to the file system (read_csv, COPY,
        // ATTACH, extensions) is off for every connection, which also fences the SQL of `query sql`.
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MemoryLimitBytes, 1L << 20, nameof(options.MemoryLimitBytes));
        if (options.Threads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(options.Threads));
        }

        var connectionString = $"Data Source={options.Path};enable_external_access=false;autoinstall_known_extensions=false;autoload_known_extensions=false"
            + FormattableString.Invariant($";memory_limit={options.MemoryLimitBytes >> 20}MiB")
            + (options.Threads is { } count ? FormattableString.Invariant($";threads={count}") : string.Empty)
            + (options.ReadOnly ? ";ACCESS_MODE=READ_ONLY" : string.Empty);
        var connection = new DuckDBConnection(connectionString);
        try
        {
            connection.Open();
            if (options.ReadOnly)
            {
                var version = StoreSchema.ReadVersion(connection);
                if (version == 0)
                {
                    throw new StoreException($"{options.Path}: not an auditrail store (no schema version)");
                }

                if (version != StoreSchema.CurrentVersion)
                {
                    throw new StoreException($"{options.Path}: schema version {version}, this build reads {StoreSchema.CurrentVersion}; open it once read-write to migrate");
                }
            }
            else
            {
                StoreSchema.Ensure(connection);
            }
        }
        catch (DuckDBException ex)
        {
            connection.Dispose();
            throw new StoreException($"{options.Path}: cannot open the store: {ex.Message}", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new DuckDbEventStore(connection, options);
    }

    public EventWriter OpenWriter(int batchSize = EventWriter.DefaultBatchSize)
    {
        if (IsReadOnly)
        {
            throw new StoreException($"{Path}: opened read-only");
        }

        if (Interlocked.Exchange(ref _writerOpen, 1) == 1)
        {
            throw new StoreException($"{Path}: a writer is already open; the store takes one writer at a time");
        }

        return new EventWriter(Connect(), () => Volatile.Write(ref _writerOpen, 0), batchSize);
    }

    public IReadOnlyList<EventSummary> Who(WhoQuery query, QueryWindow window)
    {
        var filter = new SqlFilter(window);
        var (resource, apiGroup, subresource) = ParseResource(query.Resource);
        filter.Add("resource = ", resource);
        if (apiGroup is not null)
        {
            // "" is the core group, recorded without an apiGroup.
            filter.Add("coalesce(api_group, '') = ", apiGroup);
        }

        if (subresource is not null)
        {
            filter.Add("subresource = ", subresource);
        }

        AddIfSet(filter, "name = ", query.Name);
        AddIfSet(filter, "namespace = ", query.Namespace);
        AddIfSet(filter, "verb = ", query.Verb);
        return ReadEvents(filter, window.Limit);
    }

    public IReadOnlyList<IdentityChanges> Changes(QueryWindow window)
    {
        // The verbs are this assembly's constants, not user input.
        var filter = new SqlFilter(window).AddLiteral($"verb IN ({string.Join(", ", MutatingVerbs.Select(v => $"'{v}'"))})");
        var sql = $"""
            SELECT {RowReader.EventSummaryColumns},
                   count(*) OVER identity, min(time) OVER identity, max(time) OVER identity
            FROM events {filter.Where}
            WINDOW identity AS (PARTITION BY username)
            ORDER BY time DESC
            LIMIT {filter.Bind(window.Limit)}
            """;
        var groups = new Dictionary<string, (EventSummary First, long Total, DateTimeOffset? Oldest, DateTimeOffset? Newest, List<EventSummary> Rows)>(StringComparer.Ordinal);
        using var connection = Connect();
        using var command = filter.CreateCommand(connection, sql);
        using var reader = command.ExecuteReader();
        var order = new List<string>();
        while (reader.Read())
        {
            var row = RowReader.ReadEvent(reader);
            var key = row.User ?? string.Empty;
            if (!groups.TryGetValue(key, out var group))
            {
                group = (row, RowReader.Long(reader, 19), RowReader.Time(reader, 20), RowReader.Time(reader, 21), []);
                groups[key] = group;
                order.Add(key);
            }

            group.Rows.Add(row);
        }

        return [.. order.Select(k => groups[k])
            .OrderByDescending(g => g.Total)
            .Select(g => new IdentityChanges(g.First.User, g.First.UserKind, g.Total, g.Oldest, g.Newest, g.Rows))];
    }

    public IReadOnlyList<DeniedGroup> Denied(QueryWindow window)
    {
        var filter = new SqlFilter(window).AddLiteral("(code IN (401, 403) OR decision = 'forbid')");
        var sql = $"""
            SELECT username, any_value(user_kind), source_ip, count(*),
                   count(*) FILTER (WHERE code = 401), count(*) FILTER (WHERE code = 403 OR decision = 'forbid'),
                   min(time), max(time),
                   list(DISTINCT verb || ' ' || coalesce(resource || coalesce('/' || subresource, ''), request_uri, ''))[1:5]
            FROM events {filter.Where}
            GROUP BY username, source_ip
            ORDER BY count(*) DESC, max(time) DESC
            LIMIT {filter.Bind(window.Limit)}
            """;
        return Query(filter, sql, reader => new DeniedGroup
        {
            User = RowReader.Text(reader, 0),
            UserKind = RowReader.Text(reader, 1),
            SourceIp = RowReader.Text(reader, 2),
            Count = RowReader.Long(reader, 3),
            Unauthorized = RowReader.Long(reader, 4),
            Forbidden = RowReader.Long(reader, 5),
            First = RowReader.Time(reader, 6),
            Last = RowReader.Time(reader, 7),
            Targets = RowReader.Strings(reader, 8),
        });
    }

    public IReadOnlyList<EventSummary> Timeline(TimelineQuery query, QueryWindow window)
    {
        var set = new[] { query.User, query.ServiceAccount, query.SourceIp }.Count(v => v is not null);
        if (set != 1)
        {
            throw new StoreException("timeline needs exactly one of a user, a service account (NAMESPACE:NAME) or a source IP");
        }

        var filter = new SqlFilter(window);
        if (query.User is { } user)
        {
            filter.AddAnyEqual(["username", "impersonated_user"], user);
        }
        else if (query.ServiceAccount is { } serviceAccount)
        {
            var colon = serviceAccount.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == serviceAccount.Length - 1 || serviceAccount.IndexOf(':', colon + 1) >= 0)
            {
                throw new StoreException($"service account '{serviceAccount}' is not NAMESPACE:NAME");
            }

            filter.Add("username = ", "system:serviceaccount:" + serviceAccount);
        }
        else
        {
            filter.Add("source_ip = ", query.SourceIp);
        }

        return ReadEvents(filter, window.Limit);
    }

    public IReadOnlyList<StoredAlert> Alerts(AlertQuery query, QueryWindow window)
    {
        var filter = new SqlFilter(window);
        AddIfSet(filter, "rule = ", query.Rule);
        if (query.MinimumSeverity is { } severity)
        {
            filter.Add("severity_rank >= ", (sbyte)severity);
        }

        var sql = $"""
            SELECT {RowReader.AlertColumns}
            FROM alerts {filter.Where}
            ORDER BY time DESC, rule
            LIMIT {filter.Bind(window.Limit)}
            """;
        return Query(filter, sql, reader => RowReader.ReadAlert(reader));
    }

    public SqlResult Sql(string sql, int limit = QueryWindow.DefaultLimit)
    {
        if (!ReadOnlySql.TryValidate(sql, out var statement, out var error))
        {
            throw new StoreException(error!);
        }

        // As a subquery, the text can only be a query: DuckDB's parser rejects INSERT, DROP, COPY,
        // ATTACH, PRAGMA or INSTALL there. The newline ends a trailing -- comment before the ')'.
        var wrapped = $"SELECT * FROM (\n{statement}\n) AS auditrail_query LIMIT {limit + 1}";
        try
        {
            using var connection = Connect();
            using var command = connection.CreateCommand();
            command.CommandText = wrapped;
            using var reader = command.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var rows = new List<object?[]>();
            while (reader.Read() && rows.Count <= limit)
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : RowReader.Plain(reader.GetValue(i));
                }

                rows.Add(row);
            }

            var truncated = rows.Count > limit;
            if (truncated)
            {
                rows.RemoveAt(rows.Count - 1);
            }

            return new SqlResult(columns, rows, truncated);
        }
        catch (DuckDBException ex)
        {
            throw new StoreException($"the query failed: {ex.Message}", ex);
        }
    }

    public string? GetEvent(string auditId)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {EventCodec.Decoder.Columns} FROM events WHERE audit_id = $1 ORDER BY stage_rank DESC LIMIT 1";
        command.Parameters.Add(new DuckDBParameter(auditId));
        using var reader = command.ExecuteReader();
        using var decoder = new EventCodec.Decoder(connection);
        return reader.Read() ? System.Text.Encoding.UTF8.GetString(decoder.Decode(reader)) : null;
    }

    /// <summary>The window's <see cref="QueryWindow.Limit"/> does not apply: a replay wants everything in the window.</summary>
    public IEnumerable<byte[]> ReadEventsInTimeOrder(QueryWindow window)
    {
        var filter = new SqlFilter(window);
        using var connection = Connect();
        using var command = filter.CreateCommand(connection, $"SELECT {EventCodec.Decoder.Columns} FROM events {filter.Where} ORDER BY time, received, audit_id");
        using var reader = command.ExecuteReader();
        using var decoder = new EventCodec.Decoder(connection);
        while (reader.Read())
        {
            yield return decoder.Decode(reader);
        }
    }

    public PurgeResult Purge(RetentionPolicy policy)
    {
        if (IsReadOnly)
        {
            throw new StoreException($"{Path}: opened read-only; purge needs write access");
        }

        return new RetentionPurge(Connect, _time).Run(policy);
    }

    public StoreInfo GetInfo()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM alerts), (SELECT min(time) FROM events), (SELECT max(time) FROM events)";
        using var reader = command.ExecuteReader();
        reader.Read();
        var fileBytes = File.Exists(Path) ? new FileInfo(Path).Length : 0;
        return new StoreInfo(StoreSchema.ReadVersion(connection), RowReader.Long(reader, 0), RowReader.Long(reader, 1), RowReader.Time(reader, 2), RowReader.Time(reader, 3),
            RetentionPurge.UsedBytes(connection), fileBytes);
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>
    /// <c>pods</c>, <c>deployments.apps</c> (resource.group, as kubectl writes it) or either with
    /// <c>/subresource</c> (<c>pods/exec</c>).
    /// </summary>
    internal static (string Resource, string? ApiGroup, string? Subresource) ParseResource(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var subresource = slash >= 0 ? text[(slash + 1)..] : null;
        var qualified = slash >= 0 ? text[..slash] : text;
        var dot = qualified.IndexOf('.', StringComparison.Ordinal);
        return dot >= 0 ? (qualified[..dot], qualified[(dot + 1)..], subresource) : (qualified, null, subresource);
    }

    /// <summary>A connection of its own for each caller, on the one database instance of this store (same connection string).</summary>
    private DuckDBConnection Connect()
    {
        var connection = new DuckDBConnection(_connection.ConnectionString);
        connection.Open();
        return connection;
    }

    private static void AddIfSet(SqlFilter filter, string left, string? value)
    {
        if (value is not null)
        {
            filter.Add(left, value);
        }
    }

    private IReadOnlyList<EventSummary> ReadEvents(SqlFilter filter, int limit) =>
        Query(filter, $"SELECT {RowReader.EventSummaryColumns} FROM events {filter.Where} ORDER BY time DESC, audit_id LIMIT {filter.Bind(limit)}",
            reader => RowReader.ReadEvent(reader));

    private List<T> Query<T>(SqlFilter filter, string sql, Func<System.Data.Common.DbDataReader, T> read)
    {
        using var connection = Connect();
        using var command = filter.CreateCommand(connection, sql);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
