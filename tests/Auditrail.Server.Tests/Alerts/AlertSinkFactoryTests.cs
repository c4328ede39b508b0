using System.Text;
using System.Text.Json;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Server.Alerts;
using Auditrail.Server.Configuration;
using Auditrail.Testing;

namespace Auditrail.Server.Tests.Alerts;

public sealed class AlertSinkFactoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-sinks-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Alert Sample(Severity severity = Severity.High, string rule = "Secret read") => new()
    {
        Rule = rule,
        Severity = severity,
        Time = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero),
        Identity = "alice",
        Target = "prod/secrets/db",
        Message = "alice read prod/secrets/db",
        Tags = ["secrets"],
        AuditIds = ["a-1"],
    };

    [Fact]
    public async Task Each_type_becomes_its_sink_and_writes_where_configured()
    {
        await using var receiver = new LoopbackReceiver();
        var stdout = new MemoryStream();
        var file = Path.Combine(_directory, "out", "alerts.jsonl");
        SinkSettings[] settings =
        [
            new() { Name = "console", Type = SinkType.Stdout },
            new() { Name = "archive", Type = SinkType.File, Path = file },
            new()
            {
                Name = "siem", Type = SinkType.Webhook, Url = new Uri(receiver.BaseUri, "hook"),
                TokenFile = Write("token", "sink-secret\n"),
                Headers = new Dictionary<string, string> { ["X-Source"] = "auditrail" },
            },
            new() { Name = "chat", Type = SinkType.Slack, UrlFile = Write("slack-url", new Uri(receiver.BaseUri, "slack").AbsoluteUri) },
            new() { Name = "am", Type = SinkType.Alertmanager, Url = receiver.BaseUri },
        ];

        Assert.True(AlertSinkFactory.TryCreate(settings, out var sinks, out var problems, stdout), string.Join("\n", problems));
        await using (sinks)
        {
            Assert.Equal(["console", "archive", "siem", "chat", "am"], sinks.Sinks.Select(s => s.Sink.Name));
            foreach (var (sink, _) in sinks.Sinks)
            {
                await sink.SendAsync([Sample()], CancellationToken.None);
            }
        }

        Assert.Equal("Secret read", JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement.GetProperty("rule").GetString());
        Assert.Single(File.ReadAllLines(file));
        var requests = receiver.Requests.ToDictionary(r => r.Path);
        Assert.Equal("Bearer sink-secret", requests["/hook"].Authorization);
        Assert.Equal("auditrail", requests["/hook"].Headers["X-Source"]);
        Assert.Equal(JsonValueKind.Array, requests["/hook"].Json.ValueKind);
        Assert.True(requests["/slack"].Json.TryGetProperty("blocks", out _));
        Assert.Null(requests["/slack"].Authorization);
        Assert.Equal("Secret read", requests["/api/v2/alerts"].Json[0].GetProperty("labels").GetProperty("alertname").GetString());
    }

    [Fact]
    public void Options_carry_filter_dedup_rate_queue_and_retries()
    {
        var options = AlertSinkFactory.OptionsOf(new SinkSettings
        {
            Name = "x", Type = SinkType.Stdout, MinSeverity = Severity.High, Rules = ["Secret*"], Tags = ["secrets"],
            DedupWindow = TimeSpan.FromMinutes(1), Rate = 2, Burst = 5, Retries = 0, QueueCapacity = 7,
        });
        Assert.True(options.Filter.Matches(Sample()));
        Assert.False(options.Filter.Matches(Sample(Severity.Medium)));
        Assert.False(options.Filter.Matches(Sample(rule: "exec into pod")));
        Assert.Equal((TimeSpan.FromMinutes(1), 2.0, 5, 1, 7),
            (options.DedupWindow!.Value, options.RatePerSecond!.Value, options.Burst!.Value, options.Retry.MaxAttempts, options.QueueCapacity));

        var defaults = AlertSinkFactory.OptionsOf(SinkSettings.StandardOutput);
        Assert.True(defaults.Filter.Matches(Sample(Severity.Info)));
        Assert.Null(defaults.DedupWindow);
        Assert.Equal(5, defaults.Retry.MaxAttempts);
    }

    [Fact]
    public async Task Unusable_secret_files_are_each_reported_without_their_content()
    {
        SinkSettings[] settings =
        [
            new() { Name = "empty-token", Type = SinkType.Webhook, Url = new Uri("http://127.0.0.1:1/"), TokenFile = Write("empty", " \n") },
            new() { Name = "bad-url", Type = SinkType.Slack, UrlFile = Write("url", "not a url with-a-secret") },
            new() { Name = "gone", Type = SinkType.Alertmanager, UrlFile = Path.Combine(_directory, "missing") },
        ];
        Assert.False(AlertSinkFactory.TryCreate(settings, out var sinks, out var problems));
        await sinks.DisposeAsync();
        Assert.Equal(3, problems.Count);
        Assert.Contains("sink 'empty-token': tokenFile", problems[0], StringComparison.Ordinal);
        Assert.Contains("sink 'bad-url': urlFile", problems[1], StringComparison.Ordinal);
        Assert.DoesNotContain("with-a-secret", problems[1], StringComparison.Ordinal);
        Assert.StartsWith("sink 'gone':", problems[2], StringComparison.Ordinal);
    }
}
