using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.Core.Tests.Reading;

/// <summary>Several inputs replayed as one stream in event time, with every diagnostic and count kept.</summary>
public sealed class EventTimeMergerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-merge-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Log(string name, params string[] lines)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string Event(string id, int minute) =>
        $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{id}}","stage":"ResponseComplete","verb":"get","user":{"username":"u"},"stageTimestamp":"2024-01-01T00:{{minute:00}}:00Z"}""";

    private sealed class Recorder : IAuditEventHandler
    {
        public List<string> Seen { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => Seen.Add($"{auditEvent.AuditId}@{Path.GetFileName(location.Source)}:{location.Line}");

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Seen.Add($"diagnostic {Path.GetFileName(diagnostic.Source)}:{diagnostic.Line}");
    }

    [Fact]
    public void Overlapping_inputs_come_out_in_event_time_with_their_places()
    {
        var a = Log("apiserver-a.log", Event("a1", 1), Event("a2", 4), Event("a3", 5));
        var b = Log("apiserver-b.log", Event("b1", 2), Event("b2", 3), Event("b3", 6));
        var recorder = new Recorder();

        var counters = new EventTimeMerger().ReadMerged([a, b], recorder);

        Assert.Equal(["a1@apiserver-a.log:1", "b1@apiserver-b.log:1", "b2@apiserver-b.log:2", "a2@apiserver-a.log:2", "a3@apiserver-a.log:3", "b3@apiserver-b.log:3"], recorder.Seen);
        Assert.Equal((6, 2), (counters.Events, counters.Sources));
    }

    [Fact]
    public void Bad_records_are_reported_and_counted_and_the_rest_still_merges()
    {
        var a = Log("a.log", Event("a1", 1), "{not json", Event("a2", 3));
        var b = Log("b.log", Event("b1", 2));
        var recorder = new Recorder();

        var counters = new EventTimeMerger().ReadMerged([a, b, Path.Combine(_directory, "missing.log")], recorder);

        Assert.Contains("diagnostic a.log:2", recorder.Seen);
        Assert.Contains("diagnostic missing.log:0", recorder.Seen);
        Assert.Equal(["a1", "b1", "a2"], recorder.Seen.Where(s => !s.StartsWith("diagnostic", StringComparison.Ordinal)).Select(s => s.Split('@')[0]));
        Assert.Equal((3, 2), (counters.Events, counters.Errors));
    }

    [Fact]
    public void Many_events_per_input_keep_their_order_within_the_input()
    {
        var a = Log("a.log", [.. Enumerable.Range(0, 10_000).Select(i => Event($"a{i}", i % 60))]);
        var b = Log("b.log", [.. Enumerable.Range(0, 10_000).Select(i => Event($"b{i}", 30))]);
        var recorder = new Recorder();

        var counters = new EventTimeMerger().ReadMerged([a, b], recorder);

        Assert.Equal(20_000, counters.Events);
        var fromA = recorder.Seen.Where(s => s.StartsWith('a')).Select(s => int.Parse(s[1..s.IndexOf('@')], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 10_000), fromA);
    }

    [Fact]
    public void Cancellation_stops_every_reader()
    {
        var a = Log("a.log", [.. Enumerable.Range(0, 50_000).Select(i => Event($"a{i}", 1))]);
        var b = Log("b.log", [.. Enumerable.Range(0, 50_000).Select(i => Event($"b{i}", 1))]);
        using var cancel = new CancellationTokenSource();
        var handler = new CancelAfter(cancel, 100);

        Assert.ThrowsAny<OperationCanceledException>(() => new EventTimeMerger().ReadMerged([a, b], handler, cancel.Token));
    }

    private sealed class CancelAfter(CancellationTokenSource cancel, int events) : IAuditEventHandler
    {
        private int _seen;

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            if (++_seen == events)
            {
                cancel.Cancel();
            }
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
        }
    }
}
