using System.IO.Compression;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Reading;

/// <summary>Each input shape is recognized from its content, whatever the file is called.</summary>
public class FormatDetectionTests
{
    [Fact]
    public void Json_lines_are_one_event_per_line()
    {
        var handler = CollectingHandler.ReadText(SampleEvents.Lines(5));

        Assert.Equal(5, handler.Events.Count);
        Assert.All(handler.Events, e => Assert.Equal(InputFormat.JsonLines, e.Format));
        Assert.Equal([1L, 2, 3, 4, 5], handler.Locations.Select(l => l.Line));
    }

    [Fact]
    public void Webhook_event_list_yields_its_items_with_json_paths()
    {
        var text = $$"""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{{SampleEvents.Event("x")}},{{SampleEvents.Event("y")}}]}""";

        var handler = CollectingHandler.ReadText(text);

        Assert.Equal(["x", "y"], handler.Events.Select(e => e.AuditId));
        Assert.All(handler.Events, e => Assert.Equal(InputFormat.EventList, e.Format));
        Assert.Equal(["$.items[0]", "$.items[1]"], handler.Locations.Select(l => l.JsonPath));
    }

    [Fact]
    public void Pretty_printed_event_list_is_streamed_across_lines()
    {
        var text = "{\n  \"kind\": \"EventList\",\n  \"items\": [\n    " + SampleEvents.Event("x") + ",\n    " + SampleEvents.Event("y") + "\n  ]\n}\n";

        var handler = CollectingHandler.ReadText(text);

        Assert.Empty(handler.Diagnostics);
        Assert.Equal(["x", "y"], handler.Events.Select(e => e.AuditId));
        Assert.Equal([4L, 5], handler.Locations.Select(l => l.Line));
    }

    [Fact]
    public void Json_array_of_events()
    {
        var text = "[\n" + SampleEvents.Event("x") + ",\n" + SampleEvents.Event("y") + "\n]";

        var handler = CollectingHandler.ReadText(text);

        Assert.Equal(["x", "y"], handler.Events.Select(e => e.AuditId));
        Assert.All(handler.Events, e => Assert.Equal(InputFormat.JsonArray, e.Format));
    }

    [Fact]
    public void A_single_pretty_printed_event()
    {
        var text = SampleEvents.Event("solo").Replace(",\"", ",\n  \"");

        var handler = CollectingHandler.ReadText(text);

        var e = Assert.Single(handler.Events);
        Assert.Equal("solo", e.AuditId);
        Assert.Equal(InputFormat.SingleEvent, e.Format);
    }

    [Fact]
    public void Eks_cloudwatch_record_per_line_holds_the_event_as_a_string()
    {
        var message = System.Text.Json.JsonSerializer.Serialize(SampleEvents.Event("eks-1"));
        var text = $$"""{"timestamp":1700000000000,"message":{{message}},"ingestionTime":1700000000100}""" + "\n"
                 + $$"""{"@timestamp":"2024-01-01 00:00:00.000","@message":{{message.Replace("eks-1", "eks-2")}}}""";

        var handler = CollectingHandler.ReadText(text);

        Assert.Empty(handler.Diagnostics);
        Assert.Equal(["eks-1", "eks-2"], handler.Events.Select(e => e.AuditId));
        Assert.All(handler.Events, e => Assert.Equal(InputFormat.EksCloudWatch, e.Format));
    }

    [Fact]
    public void Aks_record_of_another_category_is_noted_and_skipped()
    {
        var text = """{"records":[{"category":"kube-apiserver","properties":{"log":"I0505 16:16:37 started"}}]}""";

        var handler = CollectingHandler.ReadText(text);

        Assert.Empty(handler.Events);
        var note = Assert.Single(handler.Diagnostics);
        Assert.Equal("AR1009", note.Code);
        Assert.Contains("kube-apiserver", note.Message);
    }

    [Fact]
    public void Gzip_is_detected_by_content_not_name()
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(SampleEvents.Lines(3)));
        }

        var handler = CollectingHandler.ReadBytes(compressed.ToArray());

        Assert.Empty(handler.Diagnostics);
        Assert.Equal(3, handler.Events.Count);
    }

    [Fact]
    public void Concatenated_gzip_members_are_all_read()
    {
        using var compressed = new MemoryStream();
        for (var member = 0; member < 2; member++)
        {
            using var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true);
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(SampleEvents.Lines(2)));
        }

        Assert.Equal(4, CollectingHandler.ReadBytes(compressed.ToArray()).Events.Count);
    }

    [Fact]
    public void Core_v1_events_are_told_apart_from_audit_events()
    {
        var text = """{"kind":"Event","apiVersion":"v1","involvedObject":{"kind":"Pod"},"reason":"Scheduled"}""";

        var handler = CollectingHandler.ReadText(text);

        Assert.Empty(handler.Events);
        Assert.Equal("AR1003", Assert.Single(handler.Diagnostics).Code);
    }

    [Theory]
    [InlineData("gke-logging-export.json", 10, InputFormat.GkeCloudLogging)]
    [InlineData("eks-cloudwatch-filter-log-events.json", 6, InputFormat.EksCloudWatch)]
    [InlineData("eks-cloudwatch-subscription.json", 4, InputFormat.EksCloudWatch)]
    public void Cloud_exports_are_unwrapped(string file, int expected, InputFormat format)
    {
        var handler = CollectingHandler.ReadPaths(TestData.Path("cloud-envelopes", file));

        Assert.Empty(handler.Diagnostics);
        Assert.Equal(expected, handler.Events.Count);
        Assert.All(handler.Events, e => Assert.Equal(format, e.Format));
    }

    [Fact]
    public void Cloud_audit_entries_of_other_google_services_are_noted_and_skipped()
    {
        var text = """{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","serviceName":"storage.googleapis.com","methodName":"storage.objects.get"},"insertId":"x"}""";

        var handler = CollectingHandler.ReadText(text);

        Assert.Empty(handler.Events);
        Assert.Equal("AR1009", Assert.Single(handler.Diagnostics).Code);
    }

    [Fact]
    public void Cloudwatch_records_of_other_log_streams_are_noted_and_skipped()
    {
        var message = System.Text.Json.JsonSerializer.Serialize(SampleEvents.Event("eks-1"));
        var text = $$"""{"events":[{"logStreamName":"authenticator-abc","message":"time=\"2024-01-01T00:00:00Z\" level=info msg=\"access granted\""},{"logStreamName":"kube-apiserver-audit-abc","message":{{message}}}]}""";

        var handler = CollectingHandler.ReadText(text);

        Assert.Equal("eks-1", Assert.Single(handler.Events).AuditId);
        var note = Assert.Single(handler.Diagnostics);
        Assert.Equal(("AR1009", Auditrail.Core.Reading.DiagnosticSeverity.Info), (note.Code, note.Severity));
        Assert.Equal("$.events[0].message", note.JsonPath);
    }

    [Fact]
    public void Timestamp_prefixed_lines_of_cloudwatch_s3_exports_and_container_logs_are_read()
    {
        var text = "2024-05-01T10:00:00.000Z " + SampleEvents.Event("s3") + "\n"
                 + "2024-05-01T10:00:00.123456789Z stdout F " + SampleEvents.Event("cri") + "\n";

        var handler = CollectingHandler.ReadText(text);

        Assert.Empty(handler.Diagnostics);
        Assert.Equal(["s3", "cri"], handler.Events.Select(e => e.AuditId));
    }

    [Fact]
    public void Partial_container_log_lines_are_not_taken_for_records()
    {
        var text = "2024-05-01T10:00:00.123456789Z stdout P " + SampleEvents.Event("part")[..50] + "\n" + SampleEvents.Event("ok") + "\n";

        var handler = CollectingHandler.ReadText(text);

        Assert.Equal(["ok"], handler.Events.Select(e => e.AuditId));
        var error = Assert.Single(handler.Errors);
        Assert.Equal(DiagnosticCodes.MalformedJson, error.Code);
        Assert.Equal(1, error.Line);
    }
}
