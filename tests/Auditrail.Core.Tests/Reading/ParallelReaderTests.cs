using System.IO.Compression;
using System.Text;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Reading;

/// <summary>
/// The parallel read is the sequential read spread over threads: the same events at the same places,
/// the same diagnostics in the same order, the same counters, whatever the batch size and worker count.
/// </summary>
public class ParallelReaderTests
{
    private static readonly string Good = SampleEvents.Event("good");

    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 1 },
        { 2, 1 },
        { 2, 3 },
        { 3, 2 },
        { 2, 1024 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Corpus_directories_read_the_same(int workers, int batchRecords)
    {
        string[] paths = [TestData.FalcoTraces, TestData.Path("audit-logs"), TestData.Path("cloud-envelopes"), TestData.Path("audit2rbac"), TestData.Path("redaction")];

        AssertSame(workers, batchRecords, paths: paths);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Malformed_lines_mixed_in_read_the_same(int workers, int batchRecords) =>
        AssertSame(workers, batchRecords, Encoding.UTF8.GetBytes(MixedInput()));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gzip_and_a_missing_file_read_the_same(int workers, int batchRecords)
    {
        var dir = Directory.CreateTempSubdirectory("auditrail-parallel-");
        try
        {
            var zipped = Path.Combine(dir.FullName, "a.log.gz");
            using (var file = File.Create(zipped))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            {
                gzip.Write(Encoding.UTF8.GetBytes(MixedInput()));
            }

            File.WriteAllText(Path.Combine(dir.FullName, "b.log"), SampleEvents.Lines(50));
            File.WriteAllText(Path.Combine(dir.FullName, "README"), "not a log\n");
            AssertSame(workers, batchRecords, paths: [dir.FullName, Path.Combine(dir.FullName, "missing.log"), zipped]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Lines that end like a value but start a longer one: the framer hands them on unparsed, a worker
    /// finds out, and the read goes back to them, here over and over, across batch boundaries.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Lines_that_start_longer_values_rewind_to_the_same_result(int workers, int batchRecords)
    {
        var text = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            text.Append(SampleEvents.Event($"a-{i}")).Append('\n');
            text.Append(i % 2 == 0 ? "{\"a\":{\"b\":1}\n" : "{\"kind\":\"Event\",\"x\":{}\n}\n");
            text.Append(SampleEvents.Event($"b-{i}")).Append('\n');
        }

        // An array left open takes every later line as its elements, to the end of the input.
        text.Append("[{}\n").Append(Good).Append('\n').Append("{\"never\":{\"closed\":{}");
        var reader = AssertSame(workers, batchRecords, Encoding.UTF8.GetBytes(text.ToString()));
        Assert.Equal(41, reader.LastRewinds);
    }

    [Fact]
    public void Pretty_printed_event_list_reads_the_same()
    {
        var items = string.Join(",\n", Enumerable.Range(0, 300).Select(i => "    " + SampleEvents.Event($"i-{i}")));
        var text = $"{{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"items\": [\n{items},\n    {{\"broken\": \n  ]\n}}\n{Good}\n";

        AssertSame(2, 7, Encoding.UTF8.GetBytes(text));
    }

    [Fact]
    public void Events_larger_than_the_limit_read_the_same()
    {
        var big = SampleEvents.Event("big", extra: $",\"requestObject\":{{\"pad\":\"{new string('x', 5000)}\"}}");
        var text = $"{Good}\n{big}\n{Good}\n{big}";
        var options = new AuditReaderOptions { MaxEventBytes = 2048, BufferBytes = 1024 };

        AssertSame(2, 2, Encoding.UTF8.GetBytes(text), options: options);
    }

    [Fact]
    public void Analysis_reaches_the_ordered_stage_with_its_own_event()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleEvents.Lines(5000));
        var handler = new Transcript();

        new ParallelAuditLogReader(workers: 3) { BatchRecords = 64 }.ReadBytes(bytes, "test", () => new AuditIdAnalyzer(), handler);

        Assert.Equal(5000, handler.Analyses.Count);
        Assert.All(handler.Analyses, pair => Assert.Equal(pair.Expected, pair.Got));
    }

    [Fact]
    public void An_analyzer_failure_is_thrown_to_the_caller()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleEvents.Lines(100));

        var error = Assert.Throws<InvalidOperationException>(() =>
            new ParallelAuditLogReader(workers: 2) { BatchRecords = 8 }.ReadBytes(bytes, "test", () => new FailingAnalyzer(), new Transcript()));
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public void A_handler_failure_stops_the_read()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleEvents.Lines(5000));

        Assert.Throws<InvalidOperationException>(() =>
            new ParallelAuditLogReader(workers: 2) { BatchRecords = 8 }.ReadBytes(bytes, "test", () => new AuditIdAnalyzer(), new Transcript { FailAfter = 10 }));
    }

    [Fact]
    public void Cancellation_stops_the_read()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleEvents.Lines(5000));
        using var cancellation = new CancellationTokenSource();
        var handler = new Transcript { OnEventSeen = n => { if (n == 100) { cancellation.Cancel(); } } };

        Assert.ThrowsAny<OperationCanceledException>(() =>
            new ParallelAuditLogReader(workers: 2) { BatchRecords = 8 }.ReadBytes(bytes, "test", () => new AuditIdAnalyzer(), handler, cancellation.Token));
    }

    /// <summary>Good lines with every kind of bad line between them, as a log-backend file may hold.</summary>
    internal static string MixedInput()
    {
        var lines = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            lines.Add(SampleEvents.Event($"id-{i}", verb: i % 2 == 0 ? "get" : "delete"));
            switch (i % 12)
            {
                case 1:
                    lines.Add(SampleEvents.Event("half")[..200]);
                    break;
                case 2:
                    lines.Add("this is not json");
                    break;
                case 3:
                    lines.Add(SampleEvents.Event("typed", extra: ",\"user\":\"bob\""));
                    break;
                case 4:
                    lines.Add("2024-05-01T10:00:00.000Z " + SampleEvents.Event($"stamped-{i}"));
                    break;
                case 5:
                    lines.Add("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\n\"auditID\":\"pretty\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"requestURI\":\"/x\",\"level\":\"Metadata\"}");
                    break;
                case 6:
                    lines.Add("{\"kind\":\"EventList\",\"items\":[" + SampleEvents.Event("in-list-1") + "," + SampleEvents.Event("in-list-2") + "]}");
                    break;
                case 7:
                    lines.Add("{\"not\":\"an event\"}");
                    break;
                case 8:
                    lines.Add("{\"a\":{\"b\":1}");
                    break;
                case 9:
                    lines.Add(SampleEvents.Event("secret", extra: ",\"requestObject\":{\"kind\":\"Secret\",\"data\":{\"password\":\"aHVudGVyMg==\"}}"));
                    break;
                case 10:
                    lines.Add("{\"records\":[{\"category\":\"kube-apiserver\",\"properties\":{\"log\":\"I0101 text\"}}]}");
                    break;
                case 11:
                    lines.Add("");
                    lines.Add("[1, {\"x\": 2}]");
                    break;
            }
        }

        return string.Join('\n', lines) + "\n" + "{\"kind\":\"Event\",\"auditID\":\"cut";
    }

    private static ParallelAuditLogReader AssertSame(int workers, int batchRecords, byte[]? bytes = null, string[]? paths = null, AuditReaderOptions? options = null)
    {
        var sequential = new Transcript();
        var parallel = new Transcript();
        var reader = new ParallelAuditLogReader(options, workers) { BatchRecords = batchRecords, BatchBytes = 4096 };
        ReadCounters expected, actual;
        if (bytes is not null)
        {
            var sequentialHandler = new SequentialTranscript(sequential);
            expected = new AuditLogReader(options).ReadBytes(bytes, "test", sequentialHandler);
            actual = reader.ReadBytes(bytes, "test", () => new AuditIdAnalyzer(), parallel);
        }
        else
        {
            expected = new AuditLogReader(options).ReadPaths(paths!, new SequentialTranscript(sequential));
            actual = reader.ReadPaths(paths!, () => new AuditIdAnalyzer(), parallel);
        }

        Assert.NotEmpty(sequential.Lines);
        Assert.Equal(sequential.Lines, parallel.Lines);
        Assert.Equal(Describe(expected), Describe(actual));
        Assert.All(parallel.Analyses, pair => Assert.Equal(pair.Expected, pair.Got));
        return reader;
    }

    private static string Describe(ReadCounters c) =>
        $"events {c.Events} errors {c.Errors} warnings {c.Warnings} infos {c.Infos} skipped {c.SkippedRecords} redacted {c.RedactedValues} sources {c.Sources} bytes {c.Bytes} "
        + string.Join(",", c.EventsByFormat.Select(p => $"{p.Key}={p.Value}"));

    private sealed class AuditIdAnalyzer : IEventAnalyzer<string>
    {
        public string Analyze(AuditEvent auditEvent, in RecordLocation location) => $"{auditEvent.AuditId}@{location}";
    }

    private sealed class FailingAnalyzer : IEventAnalyzer<string>
    {
        public string Analyze(AuditEvent auditEvent, in RecordLocation location) => throw new InvalidOperationException("boom");
    }

    /// <summary>Everything a read hands out, as text, with where each event was.</summary>
    private sealed class Transcript : IOrderedEventHandler<string>
    {
        public List<string> Lines { get; } = [];
        public List<(string Expected, string Got)> Analyses { get; } = [];
        public int FailAfter { get; init; } = int.MaxValue;
        public Action<int>? OnEventSeen { get; init; }

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location, string analysis)
        {
            Analyses.Add(($"{auditEvent.AuditId}@{location}", analysis));
            Add(auditEvent, in location);
        }

        public void Add(AuditEvent auditEvent, in RecordLocation location)
        {
            if (Lines.Count >= FailAfter)
            {
                throw new InvalidOperationException("handler failed");
            }

            Lines.Add($"event {location} {auditEvent.Format} {Encoding.UTF8.GetString(auditEvent.Json.Span)}");
            OnEventSeen?.Invoke(Lines.Count);
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Lines.Add($"diagnostic {diagnostic} {diagnostic.ByteOffset} {diagnostic.JsonPath}");

        public void OnSourceStart(string source) => Lines.Add($"source {source}");
    }

    private sealed class SequentialTranscript(Transcript transcript) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => transcript.Add(auditEvent, in location);

        public void OnDiagnostic(ReadDiagnostic diagnostic) => transcript.OnDiagnostic(diagnostic);

        public void OnSourceStart(string source) => transcript.OnSourceStart(source);
    }
}
