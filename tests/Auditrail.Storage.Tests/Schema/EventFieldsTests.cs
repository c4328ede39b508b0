using System.Text;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Storage.Schema;

namespace Auditrail.Storage.Tests.Schema;

public sealed class EventFieldsTests
{
    private static readonly DateTimeOffset Received = new(2020, 5, 5, 16, 16, 37, TimeSpan.Zero);

    private static readonly EventFields.ColumnValues Columns = new(
        "55ffceaa-b7c3-478e-98c6-e509cd2f0dd7", "/api/v1/pods?limit=5", "list", "kubectl/v1.30", Received.AddTicks(6_559_120), Received.AddTicks(6_636_470));

    public static TheoryData<string> RealLogs() => [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "data", "audit-logs"), "*.jsonl").Select(file => new FileInfo(file).Name)];

    [Theory]
    [MemberData(nameof(RealLogs))]
    public void Stored_events_of_a_real_log_come_back_byte_for_byte(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "audit-logs", file);
        var read = new Collector();
        new AuditLogReader().ReadPaths([path], read);
        using var store = new TempStore();
        store.Import(path);

        // A request logged at one stage only is stored as read; compare every one of them.
        var single = read.Events.GroupBy(e => e.AuditId).Where(g => g.Count() == 1).Select(g => g.Single()).ToList();
        Assert.NotEmpty(single);
        foreach (var (auditId, json) in single)
        {
            Assert.Equal(json, store.Store.GetEvent(auditId));
        }
    }

    [Theory]
    [InlineData(2020, 5, 5, 16, 16, 37, 6_559_123L)]
    [InlineData(1, 1, 1, 0, 0, 0, 0L)]
    [InlineData(9999, 12, 31, 23, 59, 59, 9_999_999L)]
    [InlineData(987, 2, 28, 9, 5, 7, 10L)]
    public void Timestamps_are_looked_for_in_the_text_they_are_restored_as(int year, int month, int day, int hour, int minute, int second, long ticks)
    {
        var time = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks);
        var bytes = new byte[40];

        Assert.True(EventFields.ColumnValues.TryWriteMicroTime(time, bytes, out var written));

        Assert.Equal(new EventFields.ColumnValues(string.Empty, null, null, null, time, null).Text(5), Encoding.UTF8.GetString(bytes, 0, written));
    }

    [Fact]
    public void Fields_the_columns_hold_exactly_are_left_out_and_written_back_in_place()
    {
        var json = """{"kind":"Event","auditID":"55ffceaa-b7c3-478e-98c6-e509cd2f0dd7","requestURI":"/api/v1/pods?limit=5","verb":"list","userAgent":"kubectl/v1.30","requestReceivedTimestamp":"2020-05-05T16:16:37.655912Z","stageTimestamp":"2020-05-05T16:16:37.663647Z","annotations":{"verb":"list"}}"""u8.ToArray();

        var stripped = EventFields.Strip(json, Columns);

        Assert.Equal(WithCodes("""#0{"kind":"Event","auditID":#1,"requestURI":#2,"verb":#3,"userAgent":#4,"requestReceivedTimestamp":#5,"stageTimestamp":#6,"annotations":{"verb":"list"}}"""), Encoding.UTF8.GetString(stripped));
        Assert.Equal(json, EventFields.Restore(stripped, Columns));
    }

    [Fact]
    public void A_field_whose_text_differs_from_its_column_is_kept_as_written()
    {
        // Go escapes & as \u0026; nanoseconds and offsets do not survive a microsecond column; another verb is another verb.
        var json = """{"auditID":"55ffceaa-b7c3-478e-98c6-e509cd2f0dd7","requestURI":"/api/v1/pods?limit=5\u0026watch=1","verb":"get","requestReceivedTimestamp":"2020-05-05T16:16:37.655912000Z","stageTimestamp":"2020-05-05T18:16:37.663647+02:00"}"""u8.ToArray();
        var columns = Columns with { RequestUri = "/api/v1/pods?limit=5&watch=1" };

        var stripped = EventFields.Strip(json, columns);

        Assert.Equal(WithCodes("""#0{"auditID":#1,"requestURI":"/api/v1/pods?limit=5\u0026watch=1","verb":"get","requestReceivedTimestamp":"2020-05-05T16:16:37.655912000Z","stageTimestamp":"2020-05-05T18:16:37.663647+02:00"}"""), Encoding.UTF8.GetString(stripped));
        Assert.Equal(json, EventFields.Restore(stripped, columns));
    }

    [Fact]
    public void Whichever_copy_of_a_value_is_left_out_the_event_comes_back_exactly()
    {
        // The annotation's copy of the verb comes first and is the one left out; spaced-out JSON keeps its field.
        var json = """{"annotations":{"verb":"list"},"verb":"list","auditID" : "55ffceaa-b7c3-478e-98c6-e509cd2f0dd7"}"""u8.ToArray();

        var stripped = EventFields.Strip(json, Columns);

        Assert.Equal(WithCodes("""#0{"annotations":{"verb":#3},"verb":"list","auditID" : "55ffceaa-b7c3-478e-98c6-e509cd2f0dd7"}"""), Encoding.UTF8.GetString(stripped));
        Assert.Equal(json, EventFields.Restore(stripped, Columns));
    }

    [Fact]
    public void Json_with_nothing_to_strip_and_events_stored_before_stripping_pass_through()
    {
        var json = """{"kind":"Event","auditID":"other","level":"Metadata"}"""u8.ToArray();

        Assert.Equal(json, EventFields.Strip(json, Columns));
        Assert.Equal(json, EventFields.Restore(json, Columns));
    }

    /// <summary>#0 … #6 stand for the marker and field code bytes, which a literal cannot show.</summary>
    private static string WithCodes(string text)
    {
        for (var code = 0; code <= 6; code++)
        {
            text = text.Replace($"#{code}", ((char)code).ToString(), StringComparison.Ordinal);
        }

        return text;
    }

    private sealed class Collector : IAuditEventHandler
    {
        public List<(string AuditId, string Json)> Events { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) =>
            Events.Add((auditEvent.AuditId ?? string.Empty, Encoding.UTF8.GetString(auditEvent.Json.Span)));

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
        }
    }
}
