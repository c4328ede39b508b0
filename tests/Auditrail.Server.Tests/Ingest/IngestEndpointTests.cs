using System.Net.Http.Headers;
using System.Text.Json;
using Auditrail.Server.Ingest;
using Auditrail.Server.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Auditrail.Server.Tests.Ingest.AuditEvents;

namespace Auditrail.Server.Tests.Ingest;

public sealed class IngestEndpointTests
{
    private static async Task<List<JsonElement>> LinesOfAsync(IngestServer server, long sequence)
    {
        var record = (await WalReading.TakeAsync(server.Wal, sequence - 1, 1)).Single();
        Assert.Equal(sequence, record.Record.Sequence);
        var lines = record.Payload.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(record.Record.Events, lines.Length);
        Assert.EndsWith("\n", record.Payload, StringComparison.Ordinal);
        return [.. lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static string ClusterOf(JsonElement line) => line.GetProperty("annotations").GetProperty("auditrail.io/cluster").GetString()!;

    [Fact]
    public async Task An_event_list_is_appended_as_one_record_of_stamped_lines()
    {
        await using var server = await IngestServer.StartAsync(new IngestOptions { Tokens = IngestServer.Tokens(), DefaultCluster = "prod-eu" });

        var (status, body, _) = await server.PostAsync(List(3));

        Assert.Equal(200, status);
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("badRecords").GetInt32());
        var lines = await LinesOfAsync(server, body.GetProperty("sequence").GetInt64());
        Assert.Equal(["id-0", "id-1", "id-2"], lines.Select(l => l.GetProperty("auditID").GetString()));
        Assert.All(lines, l => Assert.Equal("prod-eu", ClusterOf(l)));
        var record = (await WalReading.TakeAsync(server.Wal, 0, 1)).Single().Record;
        Assert.Equal("webhook:prod-eu", record.Source);
        Assert.Equal(3, server.Module.Counters.EventsAccepted);
    }

    [Fact]
    public async Task A_single_event_is_accepted_and_the_fallback_cluster_overwrites_a_claimed_one()
    {
        await using var server = await IngestServer.StartAsync();

        var (status, body, _) = await server.PostAsync(Event(7, ""","kind":"Event","apiVersion":"audit.k8s.io/v1","annotations":{"auditrail.io/cluster":"spoofed"}"""));

        Assert.Equal(200, status);
        var line = Assert.Single(await LinesOfAsync(server, body.GetProperty("sequence").GetInt64()));
        Assert.Equal("id-7", line.GetProperty("auditID").GetString());
        Assert.Equal(IngestOptions.FallbackCluster, ClusterOf(line));
    }

    [Fact]
    public async Task The_cluster_in_the_path_overrides_the_default_and_must_be_a_dns_name()
    {
        await using var server = await IngestServer.StartAsync(new IngestOptions { Tokens = IngestServer.Tokens(), DefaultCluster = "prod-eu" });

        var (status, body, _) = await server.PostAsync(List(1), "/audit/webhook/staging.us-1");
        Assert.Equal(200, status);
        Assert.Equal("staging.us-1", ClusterOf(Assert.Single(await LinesOfAsync(server, body.GetProperty("sequence").GetInt64()))));

        var (bad, error, _) = await server.PostAsync(List(1), "/audit/webhook/Prod_EU");
        Assert.Equal(400, bad);
        Assert.Equal("path", error.GetProperty("path").GetString());
        Assert.Equal(1, server.Wal.LastSequence);
    }

    [Fact]
    public async Task Requests_without_a_token_get_401_with_a_bearer_challenge_and_a_read_token_gets_403()
    {
        await using var server = await IngestServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.Client.BaseAddress };

        var (none, _, noneResponse) = await IngestServer.SendAsync(anonymous, "/audit/webhook", IngestServer.Json(List(1)));
        Assert.Equal(401, none);
        Assert.Equal("Bearer", noneResponse.Headers.WwwAuthenticate.Single().Scheme);

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-known-token");
        Assert.Equal(401, (await IngestServer.SendAsync(anonymous, "/audit/webhook", IngestServer.Json(List(1)))).Status);

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IngestServer.ReadToken);
        Assert.Equal(403, (await IngestServer.SendAsync(anonymous, "/audit/webhook/prod", IngestServer.Json(List(1)))).Status);

        Assert.Equal(0, server.Wal.LastSequence);
        Assert.Equal(2, server.Module.Counters.Requests(401));
        Assert.Equal(1, server.Module.Counters.Requests(403));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_told_up_front_or_found_while_reading()
    {
        await using var server = await IngestServer.StartAsync(new IngestOptions { Tokens = IngestServer.Tokens(), MaxBodyBytes = 64 * 1024 });
        var big = List(60);
        Assert.True(big.Length > 64 * 1024);

        Assert.Equal(413, (await server.PostAsync(big)).Status);

        // Chunked: no Content-Length, so the limit is found while reading.
        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/audit/webhook") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(413, (int)response.StatusCode);

        Assert.Equal(0, server.Wal.LastSequence);
        Assert.Equal(200, (await server.PostAsync(List(10))).Status);
    }

    [Fact]
    public async Task The_endpoint_limit_applies_even_above_the_hosts_default_body_cap()
    {
        await using var server = await IngestServer.StartAsync();
        var list = List(6000);
        Assert.True(list.Length > new Auditrail.Server.Hosting.ServerOptions().MaxRequestBodyBytes);

        var (status, body, _) = await server.PostAsync(list);

        Assert.Equal(200, status);
        Assert.Equal(6000, body.GetProperty("accepted").GetInt32());
    }

    public static TheoryData<string, string, string> MalformedBodies => new()
    {
        { List(2)[..^5], "$.items[1]", "not well-formed JSON" },
        { """{"kind":"EventList","items":[""" + Event(0)[..^1] + """,x}]}""", "$.items[0]", "not well-formed JSON" },
        { """{"kind":"EventList","items":[""" + new string('[', 80) + new string(']', 80) + "]}", "$.items[0]", "nested deeper than 64" },
        { """{"kind":"PodList","items":[]}""", "$.kind", "expected EventList or Event" },
        { """{"kind":"EventList","apiVersion":"v1","items":[]}""", "$.apiVersion", "audit.k8s.io" },
        { """{"kind":"EventList","items":{"a":1}}""", "$.items", "expected an array" },
        { """[{"auditID":"a"}]""", "$", "expected a JSON object" },
        { """{"hello":"world"}""", "$", "not an audit.k8s.io EventList or Event" },
        { """{"kind":"Event","auditID":"a"}""", "$", "stage, verb missing" },
        { List(1) + " trailing", "$", "not well-formed JSON" },
        { "", "$", "not well-formed JSON" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_body_is_refused_whole_with_its_json_path_and_the_next_batch_still_goes_in(string json, string path, string reason)
    {
        await using var server = await IngestServer.StartAsync();

        var (status, body, _) = await server.PostAsync(json);

        Assert.Equal(400, status);
        Assert.StartsWith(path, body.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, server.Wal.LastSequence);

        await server.AssertAcceptedAsync(events: 2, sequence: 1);
    }

    [Fact]
    public async Task Items_that_are_not_events_or_too_large_are_skipped_with_warnings_and_the_rest_accepted()
    {
        await using var server = await IngestServer.StartAsync(new IngestOptions { Tokens = IngestServer.Tokens(), MaxEventBytes = 2048 });
        var huge = Event(9, $$""","requestObject":{"data":"{{new string('z', 4000)}}"}""");

        var (status, body, _) = await server.PostAsync(List(Event(0), """{"apiVersion":"v1","kind":"Pod"}""", huge, "42", Event(4), """{"auditID":"","stage":"x","verb":"get"}""",
            Event(6, ""","annotations":"not-an-object" """)));

        Assert.Equal(200, status);
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal(5, body.GetProperty("badRecords").GetInt32());
        var warnings = body.GetProperty("warnings").EnumerateArray().ToList();
        Assert.Equal(["$.items[1]", "$.items[2]", "$.items[3]", "$.items[5]", "$.items[6]"], warnings.Select(w => w.GetProperty("path").GetString()));
        Assert.Contains("auditID, stage, verb", warnings[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("2,048-byte limit", warnings[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("JSON object", warnings[2].GetProperty("reason").GetString(), StringComparison.Ordinal);
        var lines = await LinesOfAsync(server, body.GetProperty("sequence").GetInt64());
        Assert.Equal(["id-0", "id-4"], lines.Select(l => l.GetProperty("auditID").GetString()));
        Assert.Contains("annotations", warnings[4].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, server.Module.Counters.BadRecords);
    }

    [Fact]
    public async Task A_batch_of_only_bad_items_appends_nothing_and_answers_200()
    {
        await using var server = await IngestServer.StartAsync();
        var (status, body, _) = await server.PostAsync(List("""{"x":1}"""));
        Assert.Equal(200, status);
        Assert.Equal(0, body.GetProperty("accepted").GetInt32());
        Assert.False(body.TryGetProperty("sequence", out _));
        Assert.Equal(0, server.Wal.LastSequence);
    }

    [Fact]
    public async Task A_full_log_answers_429_with_retry_after_and_takes_batches_again_once_released()
    {
        await using var server = await IngestServer.StartAsync(capacityBytes: 50_000);
        Assert.Equal(200, (await server.PostAsync(List(20))).Status);

        var (status, body, response) = await server.PostAsync(List(20));

        Assert.Equal(429, status);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter!.Delta);
        Assert.Contains("full", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, server.Wal.LastSequence);

        server.Wal.Release(1);
        Assert.Equal(200, (await server.PostAsync(List(20))).Status);
        Assert.Equal(1, server.Module.Counters.Requests(429));
    }

    [Fact]
    public async Task Metrics_show_requests_events_bad_records_and_the_log()
    {
        await using var server = await IngestServer.StartAsync();
        await server.PostAsync(List(Event(1), Event(2), "{}"));
        await server.PostAsync("{");

        var writer = new MetricsWriter();
        foreach (var source in server.Server.Services.GetServices<IMetricsSource>())
        {
            source.Collect(writer);
        }

        var text = writer.ToString();
        Assert.Contains("auditrail_ingest_requests_total{code=\"200\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("auditrail_ingest_requests_total{code=\"400\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("auditrail_ingest_events_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("auditrail_ingest_bad_records_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("auditrail_ingest_appends_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("auditrail_wal_last_sequence 1\n", text, StringComparison.Ordinal);
        Assert.Contains("auditrail_wal_fsyncs_total 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(IngestServer.IngestToken, text, StringComparison.Ordinal);
    }
}

public sealed class IngestLoggingTests
{
    [Fact]
    public async Task Logs_name_places_and_reasons_but_never_tokens_or_event_content()
    {
        var logs = new Support.CapturingLoggerProvider();
        var serverOptions = new Auditrail.Server.Hosting.ServerOptions { ConfigureLogging = logging => logging.AddProvider(logs) };
        await using var server = await IngestServer.StartAsync(serverOptions: serverOptions);
        const string Secret = "s3cr3t-in-the-event";
        var eventWithSecret = Event(1, $$$""","requestObject":{"data":{"password":"{{{Secret}}}"}}""");

        await server.PostAsync(List(eventWithSecret, """{"secretNote":"s3cr3t-in-a-bad-item"}"""));
        await server.PostAsync(List(eventWithSecret)[..^3]);
        server.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong-s3cr3t-token");
        await server.PostAsync(List(eventWithSecret));

        var all = string.Join('\n', logs.Lines);
        Assert.Contains("$.items[1]", all, StringComparison.Ordinal);
        Assert.Contains("answered 400", all, StringComparison.Ordinal);
        Assert.Contains("401", all, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", all, StringComparison.Ordinal);
        Assert.DoesNotContain(IngestServer.IngestToken, all, StringComparison.Ordinal);
    }
}
