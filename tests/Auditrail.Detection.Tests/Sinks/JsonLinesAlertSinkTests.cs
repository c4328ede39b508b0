using System.Text.Json;
using Auditrail.Detection.Sinks;
using static Auditrail.Detection.Tests.Sinks.SinkTestAlerts;

namespace Auditrail.Detection.Tests.Sinks;

public sealed class JsonLinesAlertSinkTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "auditrail-sink-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task File_sink_appends_one_json_object_per_line_across_restarts()
    {
        var path = Path.Combine(_folder, "nested", "alerts.jsonl");
        await using (var sink = JsonLinesAlertSink.AppendToFile("file", path))
        {
            await sink.SendAsync([Make(auditId: "a"), Make(auditId: "b")], CancellationToken.None);

            // Flushed per batch: visible to a reader while the sink is still open.
            Assert.Equal(2, ReadShared(path).Length);
        }

        await using (var sink = JsonLinesAlertSink.AppendToFile("file", path))
        {
            await sink.SendAsync([Make(auditId: "c") with { Count = 3 }], CancellationToken.None);
        }

        var lines = ReadShared(path);
        Assert.Equal(["a", "b", "c"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("auditIDs")[0].GetString()));
        Assert.Equal(3, JsonDocument.Parse(lines[2]).RootElement.GetProperty("count").GetInt32());
        Assert.Equal("2026-03-01T12:00:00.000000Z", JsonDocument.Parse(lines[0]).RootElement.GetProperty("time").GetString());
    }

    [Fact]
    public async Task Dispatcher_delivers_to_the_file_sink()
    {
        var path = Path.Combine(_folder, "alerts.jsonl");
        var sink = JsonLinesAlertSink.AppendToFile("file", path);
        await using (var dispatcher = new AlertDispatcher([(sink, new SinkOptions())], TimeProvider.System))
        {
            for (var i = 0; i < 250; i++)
            {
                dispatcher.Publish(Make(secondsAfterT0: i));
            }
        }

        await sink.DisposeAsync();
        Assert.Equal(250, ReadShared(path).Length);
    }

    [Fact]
    public async Task Stream_sink_writes_the_alert_json_form_one_line_per_alert_and_leaves_a_borrowed_stream_open()
    {
        using var output = new MemoryStream();
        await using (var sink = new JsonLinesAlertSink("stdout", output, ownsStream: false))
        {
            await sink.SendAsync([Make(auditId: "x"), Make(auditId: "y")], CancellationToken.None);
        }

        Assert.True(output.CanWrite);
        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(("high", "x"), (first.GetProperty("severity").GetString(), first.GetProperty("auditIDs")[0].GetString()));
    }

    [Fact]
    public async Task Resumed_file_sink_skips_ids_already_in_the_file_and_writes_the_rest_once()
    {
        var path = Path.Combine(_folder, "alerts.jsonl");
        await using (var sink = JsonLinesAlertSink.ResumeFile("file", path))
        {
            await sink.SendAsync([Make(auditId: "a") with { Id = "1-0" }, Make(auditId: "b") with { Id = "1-1" }], CancellationToken.None);
        }

        // The producer restarts and delivers 1-1 again along with new alerts.
        await using (var sink = JsonLinesAlertSink.ResumeFile("file", path))
        {
            await sink.SendAsync([Make(auditId: "b") with { Id = "1-1" }, Make(auditId: "c") with { Id = "2-0" }, Make(auditId: "d")], CancellationToken.None);
            Assert.Equal(1, sink.SkippedAsDelivered);
        }

        var ids = ReadShared(path).Select(l => JsonDocument.Parse(l).RootElement).Select(e => e.TryGetProperty("id", out var id) ? id.GetString() : null);
        Assert.Equal(["1-0", "1-1", "2-0", null], ids);
    }

    [Fact]
    public async Task Resumed_file_sink_cuts_a_torn_last_line_so_that_alert_is_written_whole()
    {
        var path = Path.Combine(_folder, "alerts.jsonl");
        await using (var sink = JsonLinesAlertSink.ResumeFile("file", path))
        {
            await sink.SendAsync([Make(auditId: "a") with { Id = "1-0" }, Make(auditId: "b") with { Id = "1-1" }], CancellationToken.None);
        }

        // A crash in the middle of the second line's write.
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^20]);

        await using (var sink = JsonLinesAlertSink.ResumeFile("file", path, tailBytes: 64))
        {
            await sink.SendAsync([Make(auditId: "b") with { Id = "1-1" }], CancellationToken.None);
        }

        var ids = ReadShared(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString());
        Assert.Equal(["1-0", "1-1"], ids);
    }

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
