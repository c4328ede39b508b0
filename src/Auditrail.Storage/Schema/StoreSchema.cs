using DuckDB.NET.Data;

namespace Auditrail.Storage.Schema;

/// <summary>
/// The tables of an Auditrail store and the version they are at. A store written by a newer Auditrail
/// is refused rather than misread; an older one is migrated step by step on open (read-write only).
/// </summary>
internal static class StoreSchema
{
    /// <summary>Bumped whenever a table changes; each bump adds a step to <see cref="Migrations"/>.</summary>
    public const int CurrentVersion = 2;

    /// <summary>
    /// The event columns in table order, shared by the events table, the writer's Appender and every
    /// INSERT … SELECT between them. The request's best stage is kept (see <see cref="StageRank"/>).
    /// Low-cardinality text (stage, verb, level, kind, resource) is left to DuckDB's dictionary
    /// encoding; times are 8-byte integers; the event JSON is a zstd frame (see <see cref="EventCodec"/>).
    /// </summary>
    public const string EventColumns =
        "time, received, cluster, audit_id, stage, stage_rank, verb, username, user_kind, user_groups, impersonated_user, source_ip, user_agent, "
        + "api_group, resource, subresource, namespace, name, code, decision, reason, request_uri, level, event, dictionary_id";

    private const string EventColumnTypes = """
        time TIMESTAMPTZ,
        received TIMESTAMPTZ,
        cluster VARCHAR,
        audit_id VARCHAR NOT NULL,
        stage VARCHAR NOT NULL,
        stage_rank TINYINT NOT NULL,
        verb VARCHAR,
        username VARCHAR,
        user_kind VARCHAR,
        user_groups VARCHAR[],
        impersonated_user VARCHAR,
        source_ip VARCHAR,
        user_agent VARCHAR,
        api_group VARCHAR,
        resource VARCHAR,
        subresource VARCHAR,
        namespace VARCHAR,
        name VARCHAR,
        code INTEGER,
        decision VARCHAR,
        reason VARCHAR,
        request_uri VARCHAR,
        level VARCHAR,
        event BLOB NOT NULL,
        dictionary_id INTEGER NOT NULL
        """;

    /// <summary>Version 1: events, alerts and the meta table.</summary>
    private static readonly string[] Version1 =
    [
        "CREATE TABLE IF NOT EXISTS auditrail_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        $"CREATE TABLE IF NOT EXISTS events ({EventColumnTypes})",
        EventCodec.CreateTable,
        """
        CREATE TABLE IF NOT EXISTS alerts (
            time TIMESTAMPTZ,
            cluster VARCHAR,
            rule VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            severity_rank TINYINT NOT NULL,
            identity VARCHAR,
            identity_kind VARCHAR,
            impersonator VARCHAR,
            target VARCHAR,
            verb VARCHAR,
            source_ip VARCHAR,
            message VARCHAR NOT NULL,
            detail VARCHAR,
            tags VARCHAR[],
            audit_id VARCHAR,
            audit_ids VARCHAR[],
            event_count INTEGER NOT NULL,
            window_seconds DOUBLE
        )
        """,
    ];

    /// <summary>
    /// Version 2: an alert's stable id and the position in its producer's log it came from (the serve
    /// pipeline's write-ahead-log sequence), so alerts committed but perhaps not delivered before a crash
    /// can be read back and delivered again under the same id. Null for alerts stored by scan or import.
    /// </summary>
    private static readonly string[] Version2 =
    [
        "ALTER TABLE alerts ADD COLUMN IF NOT EXISTS alert_id VARCHAR",
        "ALTER TABLE alerts ADD COLUMN IF NOT EXISTS source_sequence BIGINT",
    ];

    /// <summary>Step i brings a store from version i to i + 1 (index 0 creates a new store).</summary>
    private static readonly string[][] Migrations = [Version1, Version2];

    /// <summary>An empty events table under another name, for a compaction that copies the kept rows into it.</summary>
    public static string CreateEventsTable(string name) => $"CREATE TABLE {name} ({EventColumnTypes})";

    /// <summary>Creates or migrates the tables; throws when the store is newer than this build.</summary>
    public static void Ensure(DuckDBConnection connection)
    {
        var version = ReadVersion(connection);
        if (version > CurrentVersion)
        {
            throw new StoreException($"the store is at schema version {version}, newer than this build of auditrail understands ({CurrentVersion}); upgrade auditrail");
        }

        if (version == CurrentVersion)
        {
            return;
        }

        using var transaction = connection.BeginTransaction();
        for (var step = version; step < CurrentVersion; step++)
        {
            foreach (var statement in Migrations[step])
            {
                Execute(connection, statement);
            }
        }

        using (var upsert = connection.CreateCommand())
        {
            upsert.CommandText = "INSERT OR REPLACE INTO auditrail_meta VALUES ('schema_version', ?)";
            upsert.Parameters.Add(new DuckDBParameter(CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            upsert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>The schema version recorded in the store; 0 for a new, empty file.</summary>
    public static int ReadVersion(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'auditrail_meta' AND table_schema = 'main'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT value FROM auditrail_meta WHERE key = 'schema_version'";
        return command.ExecuteScalar() is string text && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : 0;
    }

    /// <summary>
    /// How complete a stage's record is: a request logged at several stages keeps its most complete
    /// record (ResponseComplete or Panic carry the response status; ResponseStarted only for long-running
    /// requests such as watch; RequestReceived carries no result).
    /// </summary>
    public static sbyte StageRank(Core.Model.AuditStage stage) => stage switch
    {
        Core.Model.AuditStage.RequestReceived => 1,
        Core.Model.AuditStage.ResponseStarted => 2,
        _ => 3,
    };

    internal static int Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }
}
