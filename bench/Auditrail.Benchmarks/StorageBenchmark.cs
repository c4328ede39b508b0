using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.LogGenerator;
using Auditrail.Storage;
using Auditrail.Storage.Queries;
using Auditrail.Storage.Writing;

namespace Auditrail.Benchmarks;

/// <summary>
/// The event store at scale (bench/storage.sh): generated traffic streamed through the reader into a
/// DuckDB file, round after round, without keeping the JSON on disk. Each round is a fresh simulation
/// (its own seed, so its own auditIDs) starting where the previous one ended, so the store fills in
/// time order as a live cluster would. Reports the writer's own append rate (time inside Append and
/// the batch merges, generation and parsing excluded), the end-to-end rate, bytes on disk against the
/// raw JSON, and the latency of <c>who</c> over the full store.
/// </summary>
internal static class StorageBenchmark
{
    public static int Run(long eventsPerRound, int rounds, string path)
    {
        foreach (var file in new[] { path, path + ".wal" })
        {
            File.Delete(file);
        }

        long rawBytes = 0;
        var appendTicks = 0L;
        var wall = Stopwatch.StartNew();
        IngestCounters counters;
        using (var store = DuckDbEventStore.Open(new StoreOptions(path)))
        {
            var start = GeneratorOptions.DefaultStart;
            using (var writer = store.OpenWriter())
            {
                var handler = new TimedAppend(writer);
                for (var round = 0; round < rounds; round++)
                {
                    var roundClock = Stopwatch.StartNew();
                    // RequestReceived records are left out so the store ends up with eventsPerRound × rounds rows;
                    // the deduplicating merge runs on every batch all the same.
                    var options = new GeneratorOptions { Seed = 1000 + round, Start = start, EmitRequestReceived = false };
                    rawBytes += Stream(options, eventsPerRound, handler);
                    var flush = Stopwatch.StartNew();
                    writer.Flush();
                    handler.Ticks += flush.Elapsed.Ticks;
                    start = (store.GetInfo().Newest ?? start).AddSeconds(1);
                    Console.Error.WriteLine($"round {round + 1}/{rounds}: {writer.Counters.Inserted:N0} rows, {roundClock.Elapsed.TotalSeconds:F1} s");
                }

                appendTicks = handler.Ticks;
                counters = writer.Counters;
            }

            Checkpoint(store);
            wall.Stop();
            var info = store.GetInfo();
            var storedJson = Scalar(store, "SELECT sum(octet_length(event))::BIGINT FROM events");
            var fileBytes = new FileInfo(path).Length;
            Console.WriteLine($"events stored          {info.Events:N0} ({counters.Duplicates:N0} duplicates skipped)");
            Console.WriteLine($"append rate (writer)   {counters.Received / TimeSpan.FromTicks(appendTicks).TotalSeconds:N0} events/s");
            Console.WriteLine($"of which batch merges   {counters.MergeTime.TotalSeconds:F1} s of {TimeSpan.FromTicks(appendTicks).TotalSeconds:F1} s (the deduplicating delete + anti-join insert)");
            Console.WriteLine($"end to end             {counters.Received / wall.Elapsed.TotalSeconds:N0} events/s (generate + parse + redact + store, {wall.Elapsed.TotalSeconds:F0} s)");
            Console.WriteLine($"raw JSON               {rawBytes:N0} bytes ({rawBytes / (double)counters.Received:F0} per event)");
            Console.WriteLine($"event column           {storedJson:N0} bytes of zstd frames");
            Console.WriteLine($"on disk                {fileBytes:N0} bytes: {rawBytes / (double)fileBytes:F1}x smaller than the raw JSON");
            Console.WriteLine($"column sizes           {ColumnSizes(store)}");
            Who(store);
        }

        return 0;
    }

    /// <summary>Generates on one thread into a pipe while this thread reads and stores: no JSON touches the disk.</summary>
    private static long Stream(GeneratorOptions options, long events, TimedAppend handler)
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var producer = Task.Run(() =>
        {
            using var buffered = new BufferedStream(server, 1 << 20);
            new AuditLogGenerator(options).Write(buffered, events);
        });
        var read = new AuditLogReader().ReadStream(client, $"generated-seed{options.Seed}", handler);
        producer.GetAwaiter().GetResult();
        return read.Bytes;
    }

    /// <summary><c>who</c> for one busy object and for a whole resource, cold (first run) and warm (median of five).</summary>
    private static void Who(DuckDbEventStore store)
    {
        var busy = store.Sql("SELECT resource, namespace, name, count(*) AS n FROM events WHERE name IS NOT NULL AND resource = 'secrets' GROUP BY ALL ORDER BY n DESC LIMIT 1").Rows;
        var queries = new List<(string Label, WhoQuery Query)> { ("who --resource pods", new WhoQuery("pods")) };
        if (busy.Count == 1)
        {
            var row = busy[0];
            queries.Insert(0, ($"who --resource secrets --name {row[2]} -n {row[1]} ({row[3]} requests)", new WhoQuery("secrets") { Name = (string)row[2]!, Namespace = (string?)row[1] }));
            queries.Add(($"who --resource secrets --name {row[2]} --verb get --since (last day)", new WhoQuery("secrets") { Name = (string)row[2]!, Verb = "get" }));
        }

        var newest = store.GetInfo().Newest;
        foreach (var (label, query) in queries)
        {
            var window = label.Contains("--since", StringComparison.Ordinal) && newest is { } n ? new QueryWindow { Since = n.AddDays(-1) } : new QueryWindow();
            var times = new List<double>();
            var rows = 0;
            for (var i = 0; i < 6; i++)
            {
                var clock = Stopwatch.StartNew();
                rows = store.Who(query, window).Count;
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            var warm = times.Skip(1).Order().ElementAt(2);
            Console.WriteLine($"{label}: {rows} rows, cold {times[0].ToString("F0", CultureInfo.InvariantCulture)} ms, warm median {warm.ToString("F0", CultureInfo.InvariantCulture)} ms");
        }
    }

    private static string ColumnSizes(DuckDbEventStore store)
    {
        // Compressed bytes per column from DuckDB's storage info (block-level: segments × their size).
        var result = store.Sql("""
            SELECT column_name, sum(CASE WHEN persistent THEN 1 ELSE 0 END) AS segments, string_agg(DISTINCT compression, '/') AS compression
            FROM pragma_storage_info('events') GROUP BY column_name ORDER BY segments DESC LIMIT 6
            """);
        return string.Join(", ", result.Rows.Select(r => $"{r[0]} {r[1]} segments ({r[2]})"));
    }

    private static long Scalar(DuckDbEventStore store, string sql) =>
        Convert.ToInt64(store.Sql(sql).Rows[0][0] ?? 0L, CultureInfo.InvariantCulture);

    private static void Checkpoint(DuckDbEventStore store) => store.Purge(new Storage.Retention.RetentionPolicy());

    private sealed class TimedAppend(EventWriter writer) : IAuditEventHandler
    {
        public long Ticks { get; set; }

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            var before = Stopwatch.GetTimestamp();
            writer.Append(auditEvent);
            Ticks += Stopwatch.GetElapsedTime(before).Ticks;
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Console.Error.WriteLine(diagnostic);
    }
}
