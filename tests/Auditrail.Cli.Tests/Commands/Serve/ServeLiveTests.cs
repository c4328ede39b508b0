using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;
using Auditrail.Server.Configuration;
using Auditrail.Testing;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary>
/// The live server end to end, in process, over real HTTP on loopback: audit batches in through the
/// webhook, alerts out to a webhook sink (a real listener), a file and stdout, and back through the API.
/// </summary>
public sealed class ServeLiveTests : IAsyncLifetime
{
    private const string IngestToken = "ingest-token-for-tests";
    private const string ReaderToken = "reader-token-for-tests";
    private readonly ScratchDirectory _scratch = new("auditrail-serve-live-");
    private readonly LoopbackReceiver _receiver = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _scratch.Dispose();
    }

    private string AlertsFile => Path.Combine(_scratch.Path, "alerts", "alerts.jsonl");

    private string Config(string extra = "")
    {
        _scratch.Write("ingest-token", IngestToken + "\n");
        _scratch.Write("reader-token", ReaderToken);
        return _scratch.Write("serve.yaml", $$"""
            apiVersion: auditrail.io/v1alpha1
            kind: ServeConfiguration
            listen: 127.0.0.1:0
            logging: { level: warning }
            ingest:
              tokens: [{ file: ingest-token, scopes: [ingest] }]
              cluster: test-cluster
              maxBodyBytes: 256Ki
            api:
              tokens: [{ file: reader-token, scopes: [admin] }]
            sinks:
              - { name: hook, type: webhook, url: "{{new Uri(_receiver.BaseUri, "alerts")}}", rules: [{{AuditBatches.TriggerRule}}] }
              - { name: archive, type: file, path: alerts/alerts.jsonl }
            {{extra}}
            """);
    }

    private static HttpClient Client(RunningServe serve, string? token)
    {
        var client = new HttpClient { BaseAddress = serve.Server.Addresses[0] };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"timed out waiting for {what}");
            await Task.Delay(25);
        }
    }

    /// <summary>Posts <paramref name="batch"/> as kube-apiserver does and returns the status answered.</summary>
    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string path, AuditBatch batch)
    {
        using var content = batch.Content();
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> StatusOfGetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode;
    }

    private static async Task<long> StoredEvents(HttpClient api)
    {
        using var response = await api.PostAsJsonAsync(new Uri("/api/v1/sql", UriKind.Relative), new { sql = "SELECT count(*) AS n FROM events" });
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.GetProperty("rows")[0].GetProperty("n").GetInt64();
    }

    [Fact]
    public async Task Batches_in_become_alerts_at_the_webhook_sink_the_file_and_the_api()
    {
        using var serve = await RunningServe.StartAsync(Config(), new ServeOverrides());
        using var ingest = Client(serve, IngestToken);
        using var api = Client(serve, ReaderToken);
        var first = AuditBatches.Make(1, events: 40, triggerEvery: 10);
        var second = AuditBatches.Make(2, events: 40, triggerEvery: 20);

        Assert.Equal(HttpStatusCode.OK, await PostAsync(ingest, "/audit/webhook", first));

        Assert.Equal(HttpStatusCode.OK, await PostAsync(ingest, "/audit/webhook/other-cluster", second));

        var triggers = first.TriggerIds.Concat(second.TriggerIds).ToHashSet();
        await WaitUntil(() => Task.FromResult(WebhookAlertIds().Count == triggers.Count), "the webhook sink's alerts");
        Assert.Equal(triggers, WebhookAlertIds().ToHashSet());
        Assert.All(_receiver.Requests, r => Assert.Equal("/alerts", r.Path));

        await WaitUntil(() => Task.FromResult(File.Exists(AlertsFile) && File.ReadAllLines(AlertsFile).Length == triggers.Count), "the file sink's alerts");
        var fileAlerts = File.ReadAllLines(AlertsFile).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(fileAlerts, a => Assert.Equal(AuditBatches.TriggerRule, a.GetProperty("rule").GetString()));
        Assert.Equal(
            ["other-cluster", "test-cluster"],
            fileAlerts.Select(a => a.GetProperty("cluster").GetString()).Distinct().Order());

        // The API answers from the store, which holds each request once.
        Assert.Equal(80, await StoredEvents(api));
        using var alerts = JsonDocument.Parse(await api.GetStringAsync(new Uri($"/api/v1/alerts?rule={AuditBatches.TriggerRule}", UriKind.Relative)));
        var apiIds = alerts.RootElement.GetProperty("alerts").EnumerateArray().SelectMany(a => a.GetProperty("auditIDs").EnumerateArray()).Select(i => i.GetString()!).ToHashSet();
        Assert.Equal(triggers, apiIds);

        // Prometheus scrapes without a token by default; the counters saw both batches and both sinks.
        using var scraper = Client(serve, null);
        var metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("auditrail_ingest_events_total 80", metrics, StringComparison.Ordinal);
        Assert.Contains("auditrail_sink_alerts_sent_total{sink=\"hook\"}", metrics, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    private List<string> WebhookAlertIds() =>
        [.. _receiver.Requests.SelectMany(r => r.Json.EnumerateArray()).SelectMany(a => a.GetProperty("auditIDs").EnumerateArray()).Select(i => i.GetString()!)];

    [Fact]
    public async Task Ingest_refuses_missing_and_wrong_tokens_and_oversized_bodies()
    {
        using var serve = await RunningServe.StartAsync(Config(), new ServeOverrides());
        using var anonymous = Client(serve, null);
        using var wrong = Client(serve, "not-a-token");
        using var reader = Client(serve, ReaderToken);
        using var ingest = Client(serve, IngestToken);
        var batch = AuditBatches.Make(3, events: 5, triggerEvery: 0);

        using (var response = await anonymous.PostAsync(new Uri("/audit/webhook", UriKind.Relative), batch.Content()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(wrong, "/audit/webhook", batch));

        // An API token cannot write audit events, and the ingest token cannot read them.
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(reader, "/audit/webhook", batch));

        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfGetAsync(ingest, "/api/v1/alerts"));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusOfGetAsync(anonymous, "/api/v1/alerts"));

        // 300 KiB against ingest.maxBodyBytes 256Ki.
        var oversized = AuditBatches.Make(4, events: 600, triggerEvery: 0);
        Assert.True(Encoding.UTF8.GetByteCount(oversized.Body) > 256 * 1024);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(ingest, "/audit/webhook", oversized));

        Assert.Equal(0, await StoredEvents(reader));
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task A_malformed_batch_is_answered_400_and_leaves_the_next_one_untouched()
    {
        using var serve = await RunningServe.StartAsync(Config(), new ServeOverrides());
        using var ingest = Client(serve, IngestToken);
        using var api = Client(serve, ReaderToken);
        var good = AuditBatches.Make(5, events: 20, triggerEvery: 10);
        string[] malformed =
        [
            good.Body[..(good.Body.Length / 2)],
            """{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":{"not":"a list"}}""",
            "[1, 2, 3]",
        ];
        foreach (var body in malformed)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await ingest.PostAsync(new Uri("/audit/webhook", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await PostAsync(ingest, "/audit/webhook", good));

        await WaitUntil(async () => await StoredEvents(api) == 20, "the good batch in the store");
        await WaitUntil(() => Task.FromResult(WebhookAlertIds().Count == good.TriggerIds.Count), "the good batch's alerts");
        Assert.Equal(good.TriggerIds.ToHashSet(), WebhookAlertIds().ToHashSet());
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task With_no_configuration_a_generated_token_opens_ingest_and_the_api_and_alerts_go_to_stdout()
    {
        using var serve = await RunningServe.StartAsync(null, new ServeOverrides { Listen = ["127.0.0.1:0"] });
        var tokenFile = Path.Combine(serve.DataDirectory, "api-token");
        Assert.Contains($"bearer token in {tokenFile} for ingest, read and admin", serve.Error.ToString(), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        }

        using var client = Client(serve, File.ReadAllText(tokenFile).Trim());
        var batch = AuditBatches.Make(6, events: 10, triggerEvery: 10);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(client, "/audit/webhook/dev", batch));

        await WaitUntil(() => Task.FromResult(serve.Out.ToString().Contains(batch.TriggerIds[0], StringComparison.Ordinal)), "the alert on stdout");
        Assert.Equal(10, await StoredEvents(client));
        Assert.True(File.Exists(Path.Combine(serve.DataDirectory, "auditrail.duckdb")));
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task Tailed_log_files_are_detected_and_stored_like_webhook_batches()
    {
        var logs = Directory.CreateDirectory(Path.Combine(_scratch.Path, "logs")).FullName;
        var lines = Enumerable.Range(0, 30)
            .Select(i => AuditBatches.Event($"0000000f-0000-4000-8000-{i:x12}", trigger: i % 10 == 0, new DateTimeOffset(2026, 3, 1, 10, 0, i, TimeSpan.Zero)))
            .ToList();
        await File.WriteAllLinesAsync(Path.Combine(logs, "audit.log"), lines[..20]);
        var config = Config("sources:\n  files:\n    - { paths: [logs/audit*.log], cluster: tailed, pollInterval: 50ms }\n");
        using var serve = await RunningServe.StartAsync(config, new ServeOverrides());
        using var api = Client(serve, ReaderToken);

        // Lines appended while the server runs are picked up too.
        await File.AppendAllLinesAsync(Path.Combine(logs, "audit.log"), lines[20..]);
        await WaitUntil(async () => await StoredEvents(api) == 30, "the tailed lines in the store");
        await WaitUntil(() => Task.FromResult(WebhookAlertIds().Count == 3), "the tailed triggers' alerts");
        var cluster = JsonDocument.Parse(File.ReadAllLines(AlertsFile)[0]).RootElement.GetProperty("cluster").GetString();
        Assert.Equal("tailed", cluster);
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public async Task Responses_from_the_configured_file_run_as_dry_runs_without_a_cluster()
    {
        _scratch.Write("responses.yaml", """
            dryRun: true
            allowedNamespaces: [payments]
            rules:
              - name: quarantine-event-deleters
                alertRule: events-deleted
                minimumSeverity: medium
                actions:
                  - action: label
                    target: payments/pods/web-1
                    labels: { auditrail.io/quarantine: "true" }
            """);
        using var serve = await RunningServe.StartAsync(Config("responses: { file: responses.yaml }\n"), new ServeOverrides());
        using var ingest = Client(serve, IngestToken);
        var batch = AuditBatches.Make(8, events: 10, triggerEvery: 10);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(ingest, "/audit/webhook", batch));

        using var scraper = Client(serve, null);
        var metrics = string.Empty;
        await WaitUntil(
            async () => (metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Contains("auditrail_pipeline_response_actions_total{outcome=\"dryrun\"} 1", StringComparison.Ordinal),
            "the dry-run response");
        Assert.Contains("auditrail_pipeline_response_actions_total{outcome=\"failed\"} 0", metrics, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    [Fact]
    public void Problems_found_while_building_are_all_listed_and_exit_2()
    {
        _scratch.Write("bad-rules.yaml", "apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nmetadata: {name: bad}\nrules:\n  - name: broken\n    severity: high\n    condition: verb ==\n");
        _scratch.Write("responses.yaml", "dryRun: false\nrules: []\n");
        var config = Config("detection: { rules: [bad-rules.yaml] }\nresponses: { file: responses.yaml }\n");
        var result = CliRunner.Run("serve", "--config", config, "--data", Path.Combine(_scratch.Path, "data"));
        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("bad-rules.yaml:7:", result.Error, StringComparison.Ordinal);
        Assert.Contains("sets dryRun: false but there is no cluster to act on", result.Error, StringComparison.Ordinal);
        Assert.Contains("the server cannot be built; it was not started", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_scratch.Path, "data", "wal")));
    }
}
