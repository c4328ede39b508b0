using System.Buffers;
using System.Text;
using System.Text.Json;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Server.Ingest;

namespace Auditrail.Server.Tests.Ingest;

public sealed class ClusterStampTests
{
    private static string Stamp(string json, string cluster = "prod-eu")
    {
        var output = new ArrayBufferWriter<byte>();
        ClusterStamp.WriteLine(Encoding.UTF8.GetBytes(json), cluster, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string? ClusterOf(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty("annotations").GetProperty("auditrail.io/cluster").GetString();
    }

    [Theory]
    [InlineData("""{"kind":"Event","auditID":"a","verb":"get","stage":"ResponseComplete","level":"Metadata"}""")]
    [InlineData("""{"kind":"Event","auditID":"a","verb":"get","stage":"ResponseComplete","level":"Metadata","annotations":{}}""")]
    [InlineData("""{"kind":"Event","auditID":"a","verb":"get","stage":"ResponseComplete","level":"Metadata","annotations":{"authorization.k8s.io/decision":"allow"}}""")]
    [InlineData("""{"kind":"Event","auditID":"a","verb":"get","stage":"ResponseComplete","level":"Metadata","annotations":null}""")]
    [InlineData("""{"kind":"Event","auditID":"a","verb":"get","stage":"ResponseComplete","level":"Metadata","annotations":{"auditrail.io/cluster":"spoofed"}}""")]
    [InlineData("""{"kind":"Event","auditID":"a","verb":"get","stage":"ResponseComplete","level":"Metadata","annotations":{"auditrail.io\/cluster":"spoofed","x":"y"}}""")]
    [InlineData("""{"annotations":{"auditrail.io/cluster":"first","auditrail.io/cluster":"second"},"auditID":"a","verb":"get","stage":"ResponseComplete","level":"Metadata"}""")]
    public void Every_shape_ends_as_one_line_with_the_cluster_set(string json)
    {
        var line = Stamp(json);

        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Equal(1, line.Count(c => c == '\n'));
        Assert.Equal("prod-eu", ClusterOf(line));

        // The product's own parser reads the same cluster the stamp wrote.
        var collector = new ClusterCollector();
        var counters = new AuditLogReader().ReadBytes(Encoding.UTF8.GetBytes(line), "stamped", collector);
        Assert.Equal(0, counters.Errors);
        Assert.Equal(["prod-eu"], collector.Clusters);
    }

    [Fact]
    public void Other_members_are_kept_byte_for_byte()
    {
        var line = Stamp("""{"kind":"Event","annotations":{"a":"b"},"verb":"get"}""");
        Assert.Equal("""{"kind":"Event","annotations":{"auditrail.io/cluster":"prod-eu","a":"b"},"verb":"get"}""" + "\n", line);
    }

    [Fact]
    public void A_pretty_printed_event_becomes_one_line()
    {
        var line = Stamp("{\n  \"kind\": \"Event\",\r\n  \"verb\": \"list\"\n}\n");
        Assert.Equal(1, line.Count(c => c == '\n'));
        Assert.Equal("prod-eu", ClusterOf(line));
    }

    [Fact]
    public void Cluster_names_are_json_escaped()
    {
        Assert.Equal("a\"b", ClusterOf(Stamp("""{"kind":"Event"}""", "a\"b")));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"kind\":\"Event\"")]
    [InlineData("""{"kind":"Event"} {"kind":"Event"}""")]
    [InlineData("""{"annotations":[1]}""")]
    [InlineData("")]
    public void Malformed_input_is_refused(string json)
    {
        Assert.ThrowsAny<JsonException>(() => Stamp(json));
    }

    private sealed class ClusterCollector : IAuditEventHandler
    {
        public List<string?> Clusters { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => Clusters.Add(auditEvent.Cluster);

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Assert.Fail(diagnostic.ToString());
    }
}
