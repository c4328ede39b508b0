using System.Text;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Queries;
using Auditrail.Storage.Schema;
using Auditrail.Storage.Writing;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Storage.Tests.Writing;

public sealed class EventWriterCommitTests
{
    [Fact]
    public void Commit_stores_events_alerts_and_checkpoints_together_and_they_read_back_after_reopening()
    {
        using var store = new TempStore();
        using (var writer = store.Store.OpenWriter(batchSize: int.MaxValue))
        {
            Assert.Null(writer.ReadCheckpoint("pipeline"));
            AppendLines(writer, Event("e1", Start), Event("e2", Start.AddSeconds(1), user: "bob"));
            writer.Commit([new SequencedAlert(7, MakeAlert("7-0", "e1")), new SequencedAlert(8, MakeAlert("8-0", "e2") with { Window = TimeSpan.FromMinutes(5), Count = 3 })],
                [new Checkpoint("pipeline", 8), new Checkpoint("pipeline.delivered", 6)]);
        }

        store.Reopen();
        using (var writer = store.Store.OpenWriter())
        {
            Assert.Equal((8L, 6L), (writer.ReadCheckpoint("pipeline"), writer.ReadCheckpoint("pipeline.delivered")));
            Assert.Equal(Start.AddSeconds(1).AddMilliseconds(20), writer.NewestEventTime());
            var alerts = writer.ReadAlerts(afterSequence: 7, throughSequence: 8);
            var (sequence, alert) = Assert.Single(alerts);
            Assert.Equal((8L, "8-0", "e2", 3, TimeSpan.FromMinutes(5), Severity.High), (sequence, alert.Id, alert.AuditIds[0], alert.Count, alert.Window!.Value, alert.Severity));
            Assert.Equal(["7-0", "8-0"], writer.ReadAlerts(0, 8).Select(a => a.Alert.Id));
        }

        Assert.Equal(2, store.Store.Who(new WhoQuery("pods"), new QueryWindow()).Count);
        // The alert query (CLI and REST API) answers with the ids the sinks were given.
        Assert.Equal(["7-0", "8-0"], store.Store.Alerts(new AlertQuery(), new QueryWindow()).Select(a => a.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Commit_without_events_still_records_the_checkpoint_and_a_later_one_overwrites_it()
    {
        using var store = new TempStore();
        using var writer = store.Store.OpenWriter(batchSize: int.MaxValue);
        writer.Commit([], [new Checkpoint("pipeline", 3)]);
        Assert.Equal(3L, writer.ReadCheckpoint("pipeline"));
        AppendLines(writer, Event("e1", Start));
        writer.Commit([], [new Checkpoint("pipeline", 4)]);
        Assert.Equal(4L, writer.ReadCheckpoint("pipeline"));
        Assert.Equal(1, store.Store.GetInfo().Events);
    }

    [Fact]
    public void Discarded_events_are_not_stored_when_the_writer_is_disposed()
    {
        using var store = new TempStore();
        using (var writer = store.Store.OpenWriter(batchSize: int.MaxValue))
        {
            AppendLines(writer, Event("kept", Start));
            writer.Commit([], [new Checkpoint("pipeline", 1)]);
            AppendLines(writer, Event("half-a-batch", Start.AddSeconds(1)));
            writer.DiscardPending();
        }

        Assert.Equal(1, store.Store.GetInfo().Events);
        Assert.Null(store.Store.GetEvent("half-a-batch"));
    }

    [Fact]
    public void A_version_1_store_gains_the_alert_id_columns_on_open_and_keeps_its_alerts()
    {
        using var store = new TempStore();
        using (var writer = store.Store.OpenWriter())
        {
            writer.AppendAlert(MakeAlert("ignored", "old"));
        }

        // Turn the file back into what version 1 wrote.
        store.Store.Dispose();
        using (var connection = new DuckDB.NET.Data.DuckDBConnection($"Data Source={store.Path}"))
        {
            connection.Open();
            foreach (var sql in new[]
            {
                "ALTER TABLE alerts DROP COLUMN alert_id",
                "ALTER TABLE alerts DROP COLUMN source_sequence",
                "UPDATE auditrail_meta SET value = '1' WHERE key = 'schema_version'",
            })
            {
                StoreSchema.Execute(connection, sql);
            }
        }

        store.Reopen();
        Assert.Equal(StoreSchema.CurrentVersion, store.Store.GetInfo().SchemaVersion);
        using (var writer = store.Store.OpenWriter())
        {
            writer.Commit([new SequencedAlert(1, MakeAlert("1-0", "new"))], [new Checkpoint("pipeline", 1)]);
            Assert.Equal(["1-0"], writer.ReadAlerts(0, 1).Select(a => a.Alert.Id));
        }

        Assert.Equal(2, store.Store.Alerts(new AlertQuery(), new QueryWindow()).Count);
    }

    private static Alert MakeAlert(string id, string auditId) => new()
    {
        Id = id,
        Rule = "r",
        Severity = Severity.High,
        Time = Start,
        Identity = "alice",
        Message = "m",
        Tags = ["t"],
        AuditIds = [auditId],
    };

    private static void AppendLines(EventWriter writer, params string[] lines) =>
        new AuditLogReader().ReadBytes(Encoding.UTF8.GetBytes(string.Join('\n', lines)), "test", new Appending(writer));

    private sealed class Appending(EventWriter writer) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => writer.Append(auditEvent);

        public void OnDiagnostic(ReadDiagnostic diagnostic) => throw new InvalidOperationException(diagnostic.ToString());
    }
}
