using System.Buffers;
using System.Text;
using Auditrail.Core.Redaction;

namespace Auditrail.Core.Tests.Redaction;

public sealed partial class EventRedactorTests
{
    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"kind":"Secret","data":{"k":"v"}""")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("""{"a":1} {"b":2}""")]
    [InlineData("""{"a":1,}""")]
    public void Unparsable_input_is_reported_and_nothing_is_written(string json)
    {
        var output = new ArrayBufferWriter<byte>();

        var result = EventRedactor.Redact(Encoding.UTF8.GetBytes(json), output);

        Assert.False(result.Parsed);
        Assert.Equal(0, result.Count);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Undecodable_text_is_reported_unparsed_rather_than_thrown_or_passed_through()
    {
        byte[][] inputs =
        [
            [.. "{\"annotations\":{\"a\":\"Bearer \""u8, 0xC3, 0x28, .. "\"}}"u8],
            [.. "{\"annotations\":{\"a\":\"Bearer \\ud800x\"}}"u8],
            [.. "{\"requestURI\":\"/x?token=\\udc00\"}"u8],
            [.. "{\"objectRef\":{\"resource\":\"secrets\"},\"requestObject\":{\""u8, 0xFF, .. "\":{\"data\":{\"k\":\"v\"}}}}"u8],
        ];

        foreach (var input in inputs)
        {
            var output = new ArrayBufferWriter<byte>();

            var result = EventRedactor.Redact(input, output);

            Assert.False(result.Parsed);
            Assert.Equal(0, output.WrittenCount);
        }
    }

    [Fact]
    public void Events_nested_beyond_the_depth_limit_are_refused_rather_than_passed_through()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.False(EventRedactor.Redact(Encoding.UTF8.GetBytes(Nested(1100)), output).Parsed);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Events_as_deep_as_the_reader_allows_are_redacted()
    {
        var json = Nested(1000).Replace("{}", """{"kind":"Secret","data":{"k":"c3VwZXJzZWNyZXQ="}}""", StringComparison.Ordinal);
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(1, EventRedactor.Redact(Encoding.UTF8.GetBytes(json), output).Count);
    }

    // Objects, not arrays: each object level costs the walk the most stack frames.
    private static string Nested(int depth) =>
        string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1);

    [Fact]
    public void An_event_that_is_a_json_object_of_the_wrong_shape_passes_through()
    {
        var redacted = RedactionAssert.Redact("""{"kind": 0}""");

        Assert.Equal(0, redacted.Result.Count);
        Assert.Equal("""{"kind": 0}""", redacted.Text);
    }

    [Theory]
    [InlineData("""
        {"objectRef":{"resource":"pods"},"objectRef":{"resource":"secrets"},
         "requestObject":{"kind":"ConfigMap","kind":"Secret","data":{"k":"c3VwZXJzZWNyZXQ="},"data":{"k":"c3VwZXJzZWNyZXQ="}}}
        """, "requestObject.data[k]", "requestObject.data[k]")]
    [InlineData("""
        {"objectRef":{"resource":"secrets","apiGroup":"example.io","apiGroup":""},
         "requestObject":[{"op":"add","path":"/metadata/labels/x","path":"/data/k","value":"c3VwZXJzZWNyZXQ="}]}
        """, "requestObject[0].value")]
    public void Duplicate_members_all_count_whichever_a_parser_would_keep(string json, params string[] expectedPaths)
    {
        // JsonNode refuses duplicates and Go keeps the last one; the redactor must not depend on which.
        var input = Encoding.UTF8.GetBytes(json);
        var output = new ArrayBufferWriter<byte>();

        var result = EventRedactor.Redact(input, output);

        Assert.Equal(expectedPaths, result.Paths);
        Assert.DoesNotContain("c3VwZXJzZWNyZXQ=", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
        Assert.True(EventRedactor.MayNeedRedaction(input));
    }

    [Fact]
    public void The_default_result_reads_as_unparsed()
    {
        Assert.False(default(RedactionResult).Parsed);
        Assert.Empty(default(RedactionResult).Paths);
    }
}
