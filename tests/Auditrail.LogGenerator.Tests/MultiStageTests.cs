using System.Text.Json;

namespace Auditrail.LogGenerator.Tests;

public class MultiStageTests
{
    private static readonly string[] StageOrder = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"];

    private static IEnumerable<IGrouping<string, JsonElement>> Requests => Samples.Workday.Events.GroupBy(e => e.Str("auditID")!);

    [Fact]
    public void Stages_of_one_request_agree_and_come_in_order()
    {
        var multiStage = 0;
        foreach (var request in Requests)
        {
            var stages = request.ToList();
            if (stages.Count == 1)
            {
                continue;
            }

            multiStage++;
            var order = stages.Select(e => Array.IndexOf(StageOrder, e.Str("stage"))).ToList();
            Assert.Equal(order.Order(), order);
            Assert.Equal(order.Count, order.Distinct().Count());
            foreach (var field in (string[])["verb", "requestURI", "requestReceivedTimestamp", "level"])
            {
                Assert.Single(stages.Select(e => e.Str(field)).Distinct());
            }

            Assert.Single(stages.Select(e => e.Username()).Distinct());
        }

        Assert.True(multiStage > 1_000, $"only {multiStage} multi-stage requests");
    }

    [Fact]
    public void RequestReceived_is_stamped_on_arrival_and_carries_no_outcome()
    {
        var received = Samples.Workday.Events.Where(e => e.Str("stage") == "RequestReceived").ToList();
        Assert.NotEmpty(received);
        foreach (var e in received)
        {
            Assert.Equal(e.Str("requestReceivedTimestamp"), e.Str("stageTimestamp"));
            Assert.False(e.TryGetProperty("responseStatus", out _));
            Assert.False(e.TryGetProperty("annotations", out _));
            Assert.False(e.TryGetProperty("requestObject", out _));
            Assert.False(e.TryGetProperty("impersonatedUser", out _));
        }
    }

    [Fact]
    public void Watches_open_with_ResponseStarted_and_close_minutes_later()
    {
        var watches = Requests.Where(r => r.First().Str("verb") == "watch" && r.Count() == 2).ToList();
        Assert.NotEmpty(watches);
        foreach (var watch in watches)
        {
            var (started, complete) = (watch.First(), watch.Last());
            Assert.Equal("ResponseStarted", started.Str("stage"));
            Assert.Equal("ResponseComplete", complete.Str("stage"));
            var open = DateTimeOffset.Parse(complete.Str("stageTimestamp")!, System.Globalization.CultureInfo.InvariantCulture)
                - DateTimeOffset.Parse(complete.Str("requestReceivedTimestamp")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(open, TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(10));
        }
    }

    [Fact]
    public void Exec_sessions_switch_protocols_with_code_101()
    {
        var execs = Samples.Workday.Events.Where(e => e.Subresource() == "exec" && e.Code() == 101).ToList();
        Assert.NotEmpty(execs);
        Assert.Contains(execs, e => e.Str("stage") == "ResponseStarted");
        Assert.Contains(execs, e => e.Str("verb") == "create");
        Assert.Contains(execs, e => e.Str("verb") == "get");
    }

    [Fact]
    public void Panics_replace_ResponseComplete_with_an_internal_error()
    {
        var panics = Samples.Workday.Events.Where(e => e.Str("stage") == "Panic").ToList();
        Assert.NotEmpty(panics);
        Assert.All(panics, e => Assert.Equal(500, e.Code()));
        var panicked = panics.Select(e => e.Str("auditID")).ToHashSet();
        Assert.DoesNotContain(Samples.Workday.Events, e => e.Str("stage") == "ResponseComplete" && panicked.Contains(e.Str("auditID")));
    }
}
