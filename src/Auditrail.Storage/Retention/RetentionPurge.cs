using DuckDB.NET.Data;

namespace Auditrail.Storage.Retention;

/// <summary>
/// Deletes what a <see cref="RetentionPolicy"/> no longer keeps. Age is measured from the injected
/// clock against event time. Size is DuckDB's used blocks: when over the cap, the oldest events are
/// cut in proportion to the excess (with a margin), the file is checkpointed so freed row groups are
/// returned, and the cut repeats while still over (a few rounds at most).
/// </summary>
internal sealed class RetentionPurge(Func<DuckDBConnection> connect, TimeProvider time)
{
    private const int MaxSizeRounds = 4;

    /// <summary>Aim below the cap so the next few batches do not trip it again at once.</summary>
    private const double SizeMargin = 0.9;

    public PurgeResult Run(RetentionPolicy policy)
    {
        using var connection = connect();
        // Recent batches may still sit in the write-ahead log; a checkpoint puts them in blocks to count.
        Checkpoint(connection);
        var before = UsedBytes(connection);
        long events = 0, alerts = 0;
        DateTimeOffset? cutoff = null;
        if (policy.MaxAge is { } maxAge)
        {
            cutoff = time.GetUtcNow() - maxAge;
            (events, alerts) = DeleteBefore(connection, cutoff.Value);
        }

        if (policy.MaxBytes is { } maxBytes)
        {
            Checkpoint(connection);
            for (var round = 0; round < MaxSizeRounds && UsedBytes(connection) > maxBytes; round++)
            {
                var used = UsedBytes(connection);
                var rows = Scalar(connection, "SELECT count(*) FROM events", null);
                if (rows == 0)
                {
                    break;
                }

                var keep = (long)(rows * Math.Min(1.0, maxBytes * SizeMargin / used));
                var sizeCutoff = TimeAt(connection, rows - keep);
                if (sizeCutoff is null)
                {
                    break;
                }

                var (e, a) = DeleteBefore(connection, sizeCutoff.Value);
                events += e;
                alerts += a;
                cutoff = cutoff is { } c && c > sizeCutoff ? c : sizeCutoff;
                Checkpoint(connection);
                if (UsedBytes(connection) > maxBytes)
                {
                    Compact(connection);
                    Checkpoint(connection);
                }
            }
        }

        Checkpoint(connection);
        return new PurgeResult(events, alerts, before, UsedBytes(connection), cutoff);
    }

    /// <summary>Bytes in use inside the database file (blocks × block size); the file itself does not shrink, freed blocks are reused.</summary>
    internal static long UsedBytes(DuckDBConnection connection) =>
        Scalar(connection, "SELECT used_blocks * block_size FROM pragma_database_size() WHERE database_name = current_database()", null);

    /// <summary>Rewrites the events table with only its live rows, in time order, so the deleted rows' blocks are freed.</summary>
    private static void Compact(DuckDBConnection connection)
    {
        const string Fresh = "events_compacted";
        using var transaction = connection.BeginTransaction();
        Execute(connection, Schema.StoreSchema.CreateEventsTable(Fresh), null);
        Execute(connection, $"INSERT INTO {Fresh} SELECT {Schema.StoreSchema.EventColumns} FROM events ORDER BY time", null);
        Execute(connection, "DROP TABLE events", null);
        Execute(connection, $"ALTER TABLE {Fresh} RENAME TO events", null);
        transaction.Commit();
    }

    private static (long Events, long Alerts) DeleteBefore(DuckDBConnection connection, DateTimeOffset cutoff)
    {
        using var transaction = connection.BeginTransaction();
        var events = Execute(connection, "DELETE FROM events WHERE time < $1", cutoff);
        var alerts = Execute(connection, "DELETE FROM alerts WHERE time < $1", cutoff);
        transaction.Commit();
        return (events, alerts);
    }

    /// <summary>The event time at a row offset in time order: everything before it goes.</summary>
    private static DateTimeOffset? TimeAt(DuckDBConnection connection, long offset)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT time FROM events WHERE time IS NOT NULL ORDER BY time OFFSET $1 LIMIT 1";
        command.Parameters.Add(new DuckDBParameter(offset));
        var value = command.ExecuteScalar();
        return value switch
        {
            DateTimeOffset o => o,
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            _ => null,
        };
    }

    private static void Checkpoint(DuckDBConnection connection) => Execute(connection, "CHECKPOINT", null);

    private static int Execute(DuckDBConnection connection, string sql, object? parameter)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (parameter is not null)
        {
            command.Parameters.Add(new DuckDBParameter(parameter));
        }

        return command.ExecuteNonQuery();
    }

    private static long Scalar(DuckDBConnection connection, string sql, object? parameter)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (parameter is not null)
        {
            command.Parameters.Add(new DuckDBParameter(parameter));
        }

        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}
