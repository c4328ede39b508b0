using System.IO.Compression;
using System.Text;
using Auditrail.Core.Reading;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Reading;

/// <summary>
/// Hostile and broken input: every bad record yields a diagnostic with its place, nothing crashes, and
/// the good records around it are still read.
/// </summary>
public class MalformedInputTests
{
    private static readonly string Good1 = SampleEvents.Event("good-1");
    private static readonly string Good2 = SampleEvents.Event("good-2");

    [Fact]
    public void Truncated_line_in_the_middle_costs_only_that_record()
    {
        var broken = Good1[..(Good1.Length / 2)];
        var handler = CollectingHandler.ReadText($"{Good1}\n{broken}\n{Good2}\n");

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.MalformedJson, error.Code);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Truncated_last_record_is_reported_as_truncated()
    {
        var handler = CollectingHandler.ReadText($"{Good1}\n{Good2[..100]}");

        Assert.Equal(["good-1"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.TruncatedInput, error.Code);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("\"user\":\"bob\"", "$.user", "an object")]
    [InlineData("\"sourceIPs\":[1]", "$.sourceIPs[0]", "a string")]
    [InlineData("\"responseStatus\":{\"code\":\"200\"}", "$.responseStatus.code", "an integer")]
    [InlineData("\"objectRef\":{\"namespace\":7}", "$.objectRef.namespace", "a string")]
    [InlineData("\"annotations\":{\"a\":1}", "$.annotations[\"a\"]", "a string")]
    [InlineData("\"stage\":\"Later\"", "$.stage", "unknown stage")]
    [InlineData("\"stageTimestamp\":\"yesterday\"", "$.stageTimestamp", "RFC 3339")]
    public void Wrong_types_name_the_json_path(string member, string path, string reason)
    {
        var bad = SampleEvents.Event("bad", extra: "," + member);
        var handler = CollectingHandler.ReadText($"{Good1}\n{bad}\n{Good2}\n");

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.InvalidEvent, error.Code);
        Assert.Equal(path, error.JsonPath);
        Assert.Contains(reason, error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Ten_megabyte_event_is_skipped_and_its_neighbours_read()
    {
        var huge = SampleEvents.Event("huge", extra: ",\"requestObject\":{\"data\":\"" + new string('x', 10 << 20) + "\"}");
        var handler = CollectingHandler.ReadText($"{Good1}\n{huge}\n{Good2}\n");

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.EventTooLarge, error.Code);
        Assert.Equal(2, error.Line);
        Assert.Contains("event of 10,", error.Message);
    }

    [Fact]
    public void Oversized_event_inside_an_event_list_is_skipped_alone()
    {
        var huge = SampleEvents.Event("huge", extra: ",\"requestObject\":{\"data\":\"" + new string('x', 2 << 20) + "\"}");
        var text = $$"""{"kind":"EventList","items":[{{Good1}},{{huge}},{{Good2}}]}""";

        var handler = CollectingHandler.ReadText(text);

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.EventTooLarge, error.Code);
        Assert.Equal("$.items[1]", error.JsonPath);
    }

    [Fact]
    public void Oversized_event_never_grows_the_buffer_past_the_limit()
    {
        // A 1-byte-at-a-time stream would make a reader that buffers the whole event copy ~10 MB
        // repeatedly; the limit keeps it to about one event's worth plus a chunk.
        var huge = SampleEvents.Event("huge", extra: ",\"requestObject\":{\"data\":\"" + new string('x', 3 << 20) + "\"}");
        var bytes = Encoding.UTF8.GetBytes($"{Good1}\n{huge}\n{Good2}\n");
        var handler = new CollectingHandler();
        var options = new AuditReaderOptions { MaxEventBytes = 64 * 1024, BufferBytes = 4096 };

        new AuditLogReader(options).ReadStream(new TrickleStream(bytes, 8192), "trickle", handler);

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        Assert.Equal(DiagnosticCodes.EventTooLarge, Assert.Single(handler.Errors).Code);
    }

    [Fact]
    public void Thousand_deep_nesting_is_rejected_without_stack_overflow()
    {
        var deep = SampleEvents.Event("deep", extra: ",\"requestObject\":" + new string('[', 1000) + new string(']', 1000));
        var handler = CollectingHandler.ReadText($"{Good1}\n{deep}\n{Good2}\n");

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("depth", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Invalid_utf8_is_reported_with_its_offset()
    {
        var bad = Encoding.UTF8.GetBytes(SampleEvents.Event("bad"));
        bad[60] = 0xC3;
        bad[61] = 0x28;
        var bytes = Encoding.UTF8.GetBytes(Good1 + "\n").Concat(bad).Concat(Encoding.UTF8.GetBytes("\n" + Good2 + "\n")).ToArray();

        var handler = CollectingHandler.ReadBytes(bytes);

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.InvalidUtf8, error.Code);
        Assert.Equal(2, error.Line);
        Assert.Equal(Good1.Length + 1 + 60, error.ByteOffset);
    }

    [Fact]
    public void Blank_lines_crlf_and_a_byte_order_mark_are_accepted()
    {
        var text = "\uFEFF" + Good1 + "\r\n\r\n   \n\t\n" + Good2 + "\r\n\n";

        var handler = CollectingHandler.ReadText(text);

        Assert.Empty(handler.Diagnostics);
        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        Assert.Equal([1L, 5], handler.Locations.Select(l => l.Line));
    }

    [Fact]
    public void Gzip_that_ends_early_keeps_what_came_before()
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(SampleEvents.Lines(200)));
        }

        var cut = compressed.ToArray()[..(int)(compressed.Length * 2 / 3)];
        var handler = CollectingHandler.ReadBytes(cut);

        Assert.InRange(handler.Events.Count, 50, 199);
        Assert.Equal(Enumerable.Range(0, handler.Events.Count).Select(i => $"id-{i}"), handler.Events.Select(e => e.AuditId));
        Assert.NotEmpty(handler.Errors);
        Assert.Contains(handler.Errors, d => d.Code == DiagnosticCodes.TruncatedInput);
    }

    [Fact]
    public void Garbage_between_records_is_skipped_to_the_next_record()
    {
        var handler = CollectingHandler.ReadText($"{Good1}\n42\nnot json at all\n{Good2}\n");

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        Assert.Equal(DiagnosticCodes.MalformedJson, Assert.Single(handler.Errors).Code);
    }

    [Fact]
    public void A_named_file_that_is_not_json_is_an_error()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]);
            var handler = CollectingHandler.ReadPaths(path);

            Assert.Equal(DiagnosticCodes.NotJson, Assert.Single(handler.Errors).Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_reported_and_the_next_path_read()
    {
        var handler = CollectingHandler.ReadPaths("/nonexistent/audit.log", TestData.Path("audit2rbac", "demo.log"));

        Assert.Equal(37, handler.Events.Count);
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.UnreadableSource, error.Code);
        Assert.Contains("no such file", error.Message);
    }

    [Fact]
    public void Malformed_array_element_costs_only_that_element()
    {
        var text = "[\n  " + Good1 + ",\n  {\"kind\": \"Event\", oops},\n  " + Good2 + "\n]\n";

        var handler = CollectingHandler.ReadText(text);

        Assert.Equal(["good-1", "good-2"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.MalformedJson, error.Code);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Escaped_property_names_are_understood()
    {
        var escaped = SampleEvents.Event("esc").Replace("\"verb\"", "\"\\u0076erb\"");

        var handler = CollectingHandler.ReadText(escaped);

        Assert.Equal("get", Assert.Single(handler.Events).Verb);
    }

    [Fact]
    public void Missing_required_fields_are_reported()
    {
        var noId = SampleEvents.Event("x").Replace("\"auditID\":\"x\",", string.Empty);

        var handler = CollectingHandler.ReadText(noId);

        var error = Assert.Single(handler.Errors);
        Assert.Equal("$.auditID", error.JsonPath);
        Assert.Empty(handler.Events);
    }
}
