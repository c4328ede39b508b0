using System.Buffers;
using System.Text.Json;
using Auditrail.Core.Model;
using Auditrail.Core.Tests.Support;
using Auditrail.Core.Writing;

namespace Auditrail.Core.Tests.Writing;

public class AuditEventJsonWriterTests
{
    private static byte[] Normalize(AuditEvent e, AuditLevel? level = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            AuditEventJsonWriter.Write(e, writer, level ?? e.Level);
        }

        return buffer.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(AuditLevel.RequestResponse, true, true)]
    [InlineData(AuditLevel.Request, true, false)]
    [InlineData(AuditLevel.Metadata, false, false)]
    public void An_event_written_at_a_lower_level_loses_the_bodies_that_level_does_not_record(AuditLevel level, bool request, bool response)
    {
        var e = Assert.Single(CollectingHandler.ReadBytes("""
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/a/configmaps","verb":"create","user":{"username":"u"},"objectRef":{"resource":"configmaps","namespace":"a"},"requestObject":{"data":{"k":"v"}},"responseObject":{"data":{"k":"v"}}}
            """u8.ToArray()).Events);

        var again = Assert.Single(CollectingHandler.ReadBytes(Normalize(e, level)).Events);

        Assert.Equal((level, request, response), (again.Level, again.HasRequestObject, again.HasResponseObject));
    }

    [Fact]
    public void At_its_own_level_an_event_keeps_the_bodies_it_was_read_with_even_if_its_level_disagrees()
    {
        var e = Assert.Single(CollectingHandler.ReadBytes("""
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a","stage":"ResponseComplete","requestURI":"/","verb":"get","user":{"username":"u"},"requestObject":{"x":1}}
            """u8.ToArray()).Events);

        Assert.True(Assert.Single(CollectingHandler.ReadBytes(Normalize(e)).Events).HasRequestObject);
    }

    [Fact]
    public void Normalized_events_read_back_identically_for_every_corpus_event()
    {
        var original = CollectingHandler.ReadPaths(TestData.Root).Events;

        foreach (var e in original)
        {
            var again = Assert.Single(CollectingHandler.ReadBytes(Normalize(e)).Events);
            Assert.Equal("audit.k8s.io/v1", again.ApiVersion);
            Assert.Equal((e.AuditId, e.Verb, e.Stage, e.Level, e.UserName, e.ImpersonatedUserName, e.ResponseCode),
                (again.AuditId, again.Verb, again.Stage, again.Level, again.UserName, again.ImpersonatedUserName, again.ResponseCode));
            Assert.Equal((e.Resource, e.Namespace, e.Name, e.Subresource, e.SourceIp), (again.Resource, again.Namespace, again.Name, again.Subresource, again.SourceIp));
            Assert.Equal(e.RequestReceivedTimestamp, again.RequestReceivedTimestamp);
            Assert.Equal(e.StageTimestamp, again.StageTimestamp);
            Assert.Equal(e.RequestObjectJson.ToArray(), again.RequestObjectJson.ToArray());
            Assert.Equal(e.Annotations, again.Annotations);
        }
    }

    [Fact]
    public void V1beta1_timestamp_becomes_stage_timestamp_in_v1_form()
    {
        var e = CollectingHandler.ReadText("""{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","level":"Metadata","timestamp":"2017-09-11T19:55:05Z","auditID":"a","stage":"ResponseComplete","requestURI":"/","verb":"get","user":{"username":"x"}}""").Events.Single();

        using var document = JsonDocument.Parse(Normalize(e));

        Assert.Equal("2017-09-11T19:55:05.000000Z", document.RootElement.GetProperty("stageTimestamp").GetString());
        Assert.Equal("audit.k8s.io/v1", document.RootElement.GetProperty("apiVersion").GetString());
    }
}
