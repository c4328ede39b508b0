using System.Text;
using Auditrail.Server.Ingest;
using static Auditrail.Server.Tests.Ingest.AuditEvents;

namespace Auditrail.Server.Tests.Ingest;

public sealed class EventBatchParserTests
{
    private static (bool Ok, ParsedBatch Batch, BatchError Error) Parse(string json, int maxDepth = 64, int maxEventBytes = 1 << 20)
    {
        var batch = new ParsedBatch();
        var ok = EventBatchParser.TryParse(Encoding.UTF8.GetBytes(json), maxDepth, maxEventBytes, batch, out var error);
        return (ok, batch, error);
    }

    [Theory]
    [InlineData("audit.k8s.io/v1")]
    [InlineData("audit.k8s.io/v1beta1")]
    public void Both_audit_api_versions_are_read_and_each_event_is_located_exactly(string apiVersion)
    {
        var json = $$"""{"kind":"EventList","apiVersion":"{{apiVersion}}","items":[ {{Event(0)}} ,{{Event(1)}}]}""";

        var (ok, batch, _) = Parse(json);

        Assert.True(ok);
        Assert.Equal([Event(0), Event(1)], batch.Events.Select(e => json.Substring(e.Start, e.Length)));
        Assert.Equal([0, 1], batch.Events.Select(e => e.Index));
    }

    [Fact]
    public void Escaped_member_names_count_as_the_names_they_spell()
    {
        var (ok, batch, _) = Parse("""{"items":[{"audit\u0049D":"a","st\u0061ge":"ResponseComplete","verb":"get"}]}""");
        Assert.True(ok);
        Assert.Single(batch.Events);
    }

    [Fact]
    public void Members_named_like_event_fields_deeper_inside_do_not_make_an_event()
    {
        var (ok, batch, _) = Parse("""{"items":[{"requestObject":{"auditID":"a","stage":"b","verb":"c"}}]}""");
        Assert.True(ok);
        Assert.Empty(batch.Events);
        Assert.Equal("$.items[0]", Assert.Single(batch.Skipped).Path);
    }

    [Theory]
    [InlineData("""{"kind":"EventList","items":null}""")]
    [InlineData("""{"kind":"EventList"}""")]
    [InlineData("""{"kind":"EventList","items":[]}""")]
    public void An_empty_list_is_valid_and_holds_nothing(string json)
    {
        var (ok, batch, _) = Parse(json);
        Assert.True(ok);
        Assert.Empty(batch.Events);
        Assert.Equal(0, batch.SkippedCount);
    }

    [Fact]
    public void Errors_deep_inside_an_event_name_the_path_to_it()
    {
        var (ok, _, error) = Parse(List(Event(0), """{"auditID":"a","requestObject":{"spec":{"containers":[{"name":"x"},{"image": }]}}}"""));
        Assert.False(ok);
        Assert.Equal("$.items[1].requestObject.spec.containers[1].image", error.Path);
    }

    [Fact]
    public void Nesting_is_capped_at_the_configured_depth()
    {
        var nested = new string('[', 10) + new string(']', 10);
        Assert.True(Parse(List($$"""{"auditID":"a","stage":"s","verb":"v","x":{{nested}}}"""), maxDepth: 16).Ok);
        var (ok, _, error) = Parse(List($$"""{"auditID":"a","stage":"s","verb":"v","x":{{nested}}}"""), maxDepth: 8);
        Assert.False(ok);
        Assert.Contains("deeper than 8", error.Reason, StringComparison.Ordinal);
        Assert.StartsWith("$.items[0].x[0]", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Skipped_items_are_all_counted_but_only_the_first_hundred_listed()
    {
        var (ok, batch, _) = Parse(List([.. Enumerable.Repeat("1", 150)]));
        Assert.True(ok);
        Assert.Equal(150, batch.SkippedCount);
        Assert.Equal(ParsedBatch.MaxListedSkips, batch.Skipped.Count);
    }

    [Fact]
    public void A_single_event_over_the_event_limit_is_too_large()
    {
        var (ok, _, error) = Parse(Event(0), maxEventBytes: 100);
        Assert.False(ok);
        Assert.True(error.TooLarge);
    }
}
