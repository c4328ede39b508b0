using System.Net;
using System.Text.Json;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Sinks;
using Auditrail.Testing;
using static Auditrail.Detection.Tests.Sinks.SinkTestAlerts;

namespace Auditrail.Detection.Tests.Sinks;

public sealed class HttpSinkTests : IAsyncLifetime
{
    private static readonly RetryPolicy FastRetry = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) };

    private readonly LoopbackReceiver _receiver = new();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Webhook_posts_a_json_array_of_alerts_with_the_bearer_token()
    {
        var sink = new WebhookAlertSink("hook", _client, new Uri(_receiver.BaseUri, "alerts"), bearerToken: "s3cret-token");
        await sink.SendAsync([Make(auditId: "id-1"), Make(rule: "Exec into pod", severity: Severity.Critical, auditId: "id-2")], CancellationToken.None);

        var request = Assert.Single(_receiver.Requests);
        Assert.Equal(("POST", "/alerts", "Bearer s3cret-token"), (request.Method, request.Path, request.Authorization));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var alerts = request.Json.EnumerateArray().ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal("Secret read by unexpected identity", alerts[0].GetProperty("rule").GetString());
        Assert.Equal("critical", alerts[1].GetProperty("severity").GetString());
        Assert.Equal("id-2", alerts[1].GetProperty("auditIDs")[0].GetString());
        Assert.Equal("10.0.3.7", alerts[0].GetProperty("sourceIP").GetString());
        Assert.DoesNotContain("s3cret", sink.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_failure_messages_never_contain_the_token()
    {
        _receiver.FailNext(1, HttpStatusCode.Unauthorized);
        var sink = new WebhookAlertSink("hook", _client, _receiver.BaseUri, bearerToken: "s3cret-token");
        var error = await Assert.ThrowsAsync<AlertSinkException>(() => sink.SendAsync([Make()], CancellationToken.None).AsTask());

        Assert.False(error.IsTransient);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_message_has_a_text_fallback_and_a_block_with_severity_rule_identity_target_source_and_message()
    {
        var sink = new SlackAlertSink("slack", _client, new Uri(_receiver.BaseUri, "services/T000/B000/XXXX"));
        await sink.SendAsync([Make(identity: "system:serviceaccount:<dev>:builder")], CancellationToken.None);

        var body = Assert.Single(_receiver.Requests).Json;
        Assert.Contains("[high] Secret read by unexpected identity", body.GetProperty("text").GetString(), StringComparison.Ordinal);
        var block = Assert.Single(body.GetProperty("blocks").EnumerateArray());
        Assert.Equal("section", block.GetProperty("type").GetString());
        var text = block.GetProperty("text").GetProperty("text").GetString()!;
        Assert.Contains("*[high]* *Secret read by unexpected identity*", text, StringComparison.Ordinal);
        Assert.Contains("*Identity:* `system:serviceaccount:&lt;dev&gt;:builder`", text, StringComparison.Ordinal);
        Assert.Contains("*Target:* `prod/secrets/db-password`", text, StringComparison.Ordinal);
        Assert.Contains("*Source IP:* `10.0.3.7`", text, StringComparison.Ordinal);
        Assert.Contains("read prod/secrets/db-password", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_summarises_batches_beyond_its_block_limit()
    {
        var sink = new SlackAlertSink("slack", _client, _receiver.BaseUri);
        await sink.SendAsync(Enumerable.Range(0, 60).Select(i => Make(secondsAfterT0: i, severity: i == 7 ? Severity.Critical : Severity.Low)).ToList(), CancellationToken.None);

        var body = Assert.Single(_receiver.Requests).Json;
        var blocks = body.GetProperty("blocks").EnumerateArray().ToList();
        Assert.True(blocks.Count <= 50);
        Assert.Equal("60 Auditrail alerts, most severe: critical", body.GetProperty("text").GetString());
        Assert.Contains("15 more", blocks[^1].GetProperty("elements")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alertmanager_receives_v2_alerts_with_labels_annotations_and_start_time()
    {
        var sink = new AlertmanagerSink("am", _client, new Uri(_receiver.BaseUri, "am"), generatorUrl: new Uri("https://auditrail.example/alerts"));
        await sink.SendAsync([Make(secondsAfterT0: 5) with { Count = 4 }], CancellationToken.None);

        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("/am/api/v2/alerts", request.Path);
        var alert = Assert.Single(request.Json.EnumerateArray());
        var labels = alert.GetProperty("labels");
        Assert.Equal("Secret read by unexpected identity", labels.GetProperty("alertname").GetString());
        Assert.Equal("Secret read by unexpected identity", labels.GetProperty("rule").GetString());
        Assert.Equal("high", labels.GetProperty("severity").GetString());
        Assert.Equal("prod-eu", labels.GetProperty("cluster").GetString());
        Assert.Equal("system:serviceaccount:dev:builder read prod/secrets/db-password", alert.GetProperty("annotations").GetProperty("summary").GetString());
        var description = alert.GetProperty("annotations").GetProperty("description").GetString()!;
        Assert.Contains("source IP: 10.0.3.7", description, StringComparison.Ordinal);
        Assert.Contains("count: 4", description, StringComparison.Ordinal);
        Assert.Equal("2026-03-01T12:00:05.000Z", alert.GetProperty("startsAt").GetString());
        Assert.Equal("https://auditrail.example/alerts", alert.GetProperty("generatorURL").GetString());
        Assert.False(alert.TryGetProperty("endsAt", out _));
    }

    // Each row: the receiver fails `failures` times with `status`; three attempts are allowed in all.
    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, 2, 3, 1, 0, 2)]
    [InlineData(HttpStatusCode.TooManyRequests, 2, 3, 1, 0, 2)]
    [InlineData(HttpStatusCode.BadGateway, 1, 2, 1, 0, 1)]
    [InlineData(HttpStatusCode.ServiceUnavailable, 10, 3, 0, 1, 2)]
    [InlineData(HttpStatusCode.BadRequest, 1, 1, 0, 1, 0)]
    [InlineData(HttpStatusCode.Forbidden, 1, 1, 0, 1, 0)]
    public async Task Dispatcher_retries_transient_http_answers_and_gives_up_after_max_attempts(
        HttpStatusCode status, int failures, int expectedRequests, long sent, long failed, long retried)
    {
        _receiver.FailNext(failures, status);
        var sink = new AlertmanagerSink("am", _client, _receiver.BaseUri);
        var dispatcher = new AlertDispatcher([(sink, new SinkOptions { Retry = FastRetry })], TimeProvider.System);
        dispatcher.Publish(Make());
        await dispatcher.DisposeAsync();

        Assert.Equal(expectedRequests, _receiver.Requests.Count);
        var stats = dispatcher.Snapshot()[0];
        Assert.Equal((sent, failed, retried), (stats.Sent, stats.Failed, stats.Retried));
    }

    [Fact]
    public async Task Retry_after_from_a_429_is_reported_to_the_dispatcher()
    {
        _receiver.FailNext(1, HttpStatusCode.TooManyRequests, retryAfter: "7");
        var sink = new WebhookAlertSink("hook", _client, _receiver.BaseUri);
        var error = await Assert.ThrowsAsync<AlertSinkException>(() => sink.SendAsync([Make()], CancellationToken.None).AsTask());

        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public async Task A_request_timeout_is_a_transient_failure_not_a_cancellation()
    {
        await using var slow = new LoopbackReceiver { AnswerDelay = TimeSpan.FromSeconds(2) };
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };
        var sink = new WebhookAlertSink("hook", impatient, slow.BaseUri);
        var error = await Assert.ThrowsAsync<AlertSinkException>(() => sink.SendAsync([Make()], CancellationToken.None).AsTask());

        Assert.True(error.IsTransient);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_transient_failure()
    {
        var closed = new LoopbackReceiver();
        var address = closed.BaseUri;
        await closed.DisposeAsync();
        var sink = new WebhookAlertSink("hook", _client, address);
        var error = await Assert.ThrowsAsync<AlertSinkException>(() => sink.SendAsync([Make()], CancellationToken.None).AsTask());
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task A_slow_http_sink_does_not_delay_a_fast_one()
    {
        await using var slow = new LoopbackReceiver { AnswerDelay = TimeSpan.FromSeconds(3) };
        var dispatcher = new AlertDispatcher(
            [
                (new WebhookAlertSink("slow", _client, slow.BaseUri), new SinkOptions { MaxBatchSize = 1 }),
                (new WebhookAlertSink("fast", _client, _receiver.BaseUri), new SinkOptions()),
            ],
            TimeProvider.System);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            dispatcher.Publish(Make(secondsAfterT0: i));
        }

        await WaitUntil(() => _receiver.Requests.Sum(r => r.Json.GetArrayLength()) == 3);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"fast sink waited {clock.Elapsed}");
        dispatcher.Abort();
        await dispatcher.DisposeAsync();
    }
}
