using Auditrail.Storage.Queries;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Storage.Tests.Writing;

public sealed class EventWriterTests
{
    private static readonly WhoQuery Pods = new("pods");

    [Fact]
    public void Stored_events_answer_queries_after_the_store_is_closed_and_reopened()
    {
        using var store = new TempStore();
        var result = store.Import([
            Event("a1", Start, verb: "get", user: "alice"),
            Event("a2", Start.AddMinutes(1), verb: "delete", user: "bob", name: "db"),
        ]);
        Assert.Equal(2, result.Stored.Inserted);

        store.Reopen();

        var rows = store.Store.Who(Pods, new QueryWindow());
        Assert.Equal(["a2", "a1"], rows.Select(r => r.AuditId));
        var delete = rows[0];
        Assert.Equal(("bob", "delete", "db", "default", 200, "allow", "10.0.0.5", "human"),
            (delete.User, delete.Verb, delete.Name, delete.Namespace, delete.Code!.Value, delete.Decision, delete.SourceIp, delete.UserKind));
        Assert.Equal(Start.AddMinutes(1).AddMilliseconds(20), delete.Time);
        Assert.Contains("\"auditID\":\"a2\"", store.Store.GetEvent("a2"), StringComparison.Ordinal);
    }

    [Fact]
    public void Stages_of_one_request_in_one_batch_keep_the_most_complete()
    {
        using var store = new TempStore();
        var result = store.Import([
            Event("w1", Start, stage: "RequestReceived"),
            Event("w1", Start, stage: "ResponseStarted", verb: "get"),
            Event("w1", Start, stage: "ResponseComplete", code: 201),
        ]);

        Assert.Equal((3L, 1L, 2L), (result.Stored.Received, result.Stored.Inserted, result.Stored.Duplicates));
        var row = Assert.Single(store.Store.Who(Pods, new QueryWindow()));
        Assert.Equal(("ResponseComplete", 201), (row.Stage, row.Code));
    }

    [Fact]
    public void Two_records_of_one_request_at_the_same_stage_in_one_batch_keep_the_later_whatever_their_order()
    {
        using var store = new TempStore();
        var result = store.Import([
            Event("d1", Start, stage: "ResponseComplete", code: 500, latency: TimeSpan.FromSeconds(2)),
            Event("d1", Start, stage: "ResponseComplete", code: 200, latency: TimeSpan.FromSeconds(1)),
            Event("d2", Start, stage: "ResponseComplete", code: 200, latency: TimeSpan.FromSeconds(1)),
            Event("d2", Start, stage: "ResponseComplete", code: 500, latency: TimeSpan.FromSeconds(2)),
        ]);

        Assert.Equal((4L, 2L), (result.Stored.Received, result.Stored.Inserted));
        var rows = store.Store.Who(Pods, new QueryWindow());
        Assert.Equal([("d1", 500), ("d2", 500)], rows.Select(r => (r.AuditId, r.Code!.Value)).Order());
    }

    [Fact]
    public void A_later_batch_with_a_more_complete_stage_replaces_the_stored_one_and_a_less_complete_one_is_skipped()
    {
        using var store = new TempStore();
        var result = store.Import([
            Event("r1", Start, stage: "RequestReceived"),
            Event("r1", Start, stage: "ResponseComplete", code: 404),
            Event("r1", Start, stage: "RequestReceived"),
        ], batchSize: 1);

        Assert.Equal((2L, 1L, 1L), (result.Stored.Inserted, result.Stored.Superseded, result.Stored.Duplicates));
        var row = Assert.Single(store.Store.Who(Pods, new QueryWindow()));
        Assert.Equal(("ResponseComplete", 404), (row.Stage, row.Code));
    }

    [Fact]
    public void Importing_the_same_file_twice_adds_nothing()
    {
        using var store = new TempStore();
        var lines = Enumerable.Range(0, 500).Select(i => Event($"id-{i}", Start.AddSeconds(i), name: $"p{i}")).ToList();
        var path = store.WriteLog("audit.log", lines);

        var first = store.Import(path, batchSize: 128);
        var second = store.Import(path, batchSize: 128);

        Assert.Equal(500, first.Stored.Inserted);
        Assert.Equal((0L, 500L), (second.Stored.Inserted, second.Stored.Duplicates));
        Assert.Equal(500, store.Store.GetInfo().Events);
    }

    [Fact]
    public void Malformed_records_are_reported_by_file_and_line_and_the_rest_is_stored()
    {
        using var store = new TempStore();
        var path = store.WriteLog("broken.log", [
            Event("ok-1", Start),
            "{\"kind\":\"Event\",\"auditID\": ",
            Event("ok-2", Start.AddSeconds(1)),
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}",
            Event("ok-3", Start.AddSeconds(2)),
        ]);

        var result = store.Import(path);

        Assert.Equal(3, result.Stored.Inserted);
        var errors = result.Diagnostics.Where(d => d.Severity == Core.Reading.DiagnosticSeverity.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains($"{path}:2", errors[0].ToString(), StringComparison.Ordinal);
        Assert.Contains($"{path}:4", errors[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_are_stored_redacted()
    {
        using var store = new TempStore();
        var secret = Event("s1", Start, verb: "create", resource: "secrets", name: "db-password")
            .Replace("\"level\":\"Metadata\"", "\"level\":\"Request\"", StringComparison.Ordinal)
            .Replace("\"annotations\"", "\"requestObject\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"data\":{\"password\":\"aHVudGVyMg==\"}},\"annotations\"", StringComparison.Ordinal);

        store.Import([secret]);

        var json = store.Store.GetEvent("s1");
        Assert.NotNull(json);
        Assert.DoesNotContain("aHVudGVyMg==", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_writer_is_refused_while_the_first_is_open()
    {
        using var store = new TempStore();
        using var writer = store.Store.OpenWriter();
        var error = Assert.Throws<StoreException>(() => store.Store.OpenWriter());
        Assert.Contains("one writer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Readers_see_whole_batches_while_a_writer_appends()
    {
        using var store = new TempStore();
        const int batch = 250;
        const int batches = 24;
        var failures = new List<Exception>();
        var seen = new List<long>();
        using var done = new ManualResetEventSlim();
        var readers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            try
            {
                while (!done.IsSet)
                {
                    var rows = store.Store.Sql("SELECT count(*) AS n FROM events");
                    var count = Convert.ToInt64(rows.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture);
                    var recent = store.Store.Who(Pods, new QueryWindow { Limit = 5 });
                    lock (seen)
                    {
                        seen.Add(count);
                    }

                    Assert.True(count % batch == 0, $"a reader saw {count} rows: part of a batch");
                    Assert.True(recent.Count <= 5);
                }
            }
            catch (Exception ex)
            {
                lock (failures)
                {
                    failures.Add(ex);
                }
            }
        })).ToList();
        readers.ForEach(t => t.Start());

        var lines = Enumerable.Range(0, batch * batches).Select(i => Event($"c-{i}", Start.AddSeconds(i), name: $"p{i}"));
        var result = store.Import(lines, batchSize: batch);
        done.Set();
        readers.ForEach(t => t.Join());

        Assert.Empty(failures);
        Assert.Equal(batch * batches, result.Stored.Inserted);
        Assert.Equal(batch * batches, store.Store.GetInfo().Events);
        Assert.NotEmpty(seen);
    }

    [Fact]
    public void A_read_only_store_refuses_writers_and_a_missing_file_is_a_clear_error()
    {
        using var store = new TempStore();
        store.Import([Event("x", Start)]);
        store.Reopen(readOnly: true);

        Assert.Throws<StoreException>(() => store.Store.OpenWriter());
        Assert.Single(store.Store.Who(Pods, new QueryWindow()));
        var missing = Assert.Throws<StoreException>(() => DuckDbEventStore.Open(new StoreOptions(Path.Combine(store.Directory, "nope.duckdb")) { ReadOnly = true }));
        Assert.Contains("no such store", missing.Message, StringComparison.Ordinal);
    }
}
