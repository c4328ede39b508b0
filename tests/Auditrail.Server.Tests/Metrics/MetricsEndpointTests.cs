using System.Net;
using System.Net.Http.Headers;
using Auditrail.Server.Hosting;
using Auditrail.Server.Metrics;
using Auditrail.Server.Security;
using Auditrail.Server.Sources;
using Auditrail.Server.Tests.Sources;
using Auditrail.Server.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Tests.Metrics;

/// <summary><c>GET /metrics</c> on a real loopback Kestrel.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task The_page_holds_every_registered_source_and_the_process_figures_in_the_exposition_format()
    {
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(),
            extraModules: [new MetricsModule(new MetricsOptions()), new SourceModule(new FixedSource("demo_widgets", 42))]);
        var (status, _) = await server.PostAsync("/validate", Reviews.Json(Reviews.Encode(Reviews.PodCreate(Reviews.PodWithTeam))));
        Assert.Equal(200, status);

        using var response = await server.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MetricsModule.ContentType, response.Content.Headers.ContentType?.ToString());
        var samples = ExpositionFormat.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(42, samples.Value("demo_widgets"));
        Assert.Equal(1, samples.Value("auditrail_admission_reviews_total", ("endpoint", "validate")));
        Assert.Equal(1, samples.Value("auditrail_admission_verdicts_total", ("verdict", "allowed")));
        Assert.Equal(0, samples.Value("auditrail_admission_check_failures_total", ("reason", "budget_exceeded")));
        Assert.Equal(1, samples.Value("auditrail_admission_review_duration_seconds_count"));
        Assert.True(samples.Value("process_cpu_seconds_total") > 0);
        Assert.True(samples.Value("process_resident_memory_bytes") > 0);
        Assert.True(samples.Value("process_start_time_seconds") > 1_600_000_000);
        Assert.True(samples.Value("dotnet_gc_heap_size_bytes") >= 0);
        Assert.True(samples.Value("dotnet_gc_collections_total", ("generation", "0")) >= 0);
        Assert.True(samples.Value("dotnet_threadpool_queue_length") >= 0);
        Assert.Equal(0, samples.Value("auditrail_metrics_collect_errors_total"));
    }

    [Fact]
    public async Task With_a_token_required_only_a_read_scoped_token_may_scrape()
    {
        var tokens = new AccessTokens().Add("reader-token", AccessScope.Read).Add("ingest-token", AccessScope.Ingest).Add("admin-token", AccessScope.Admin);
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(),
            extraModules: [new MetricsModule(new MetricsOptions { RequireToken = true, Tokens = tokens })]);

        using (var anonymous = await server.Client.GetAsync(new Uri("/metrics", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
            Assert.Empty(await anonymous.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await ScrapeStatusAsync(server, "not-a-token"));
        Assert.Equal(HttpStatusCode.Forbidden, await ScrapeStatusAsync(server, "ingest-token"));
        Assert.Equal(HttpStatusCode.OK, await ScrapeStatusAsync(server, "reader-token"));
        Assert.Equal(HttpStatusCode.OK, await ScrapeStatusAsync(server, "admin-token"));
    }

    [Fact]
    public void Requiring_a_token_without_any_configured_is_refused_at_start() =>
        Assert.Throws<ArgumentException>(() => new MetricsModule(new MetricsOptions { RequireToken = true }));

    [Fact]
    public async Task A_source_that_throws_loses_only_its_own_samples_and_is_counted_and_logged()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(),
            serverOptions: new ServerOptions { ConfigureLogging = logging => logging.AddProvider(logs) },
            extraModules: [new MetricsModule(new MetricsOptions()), new SourceModule(new ThrowingSource(), new FixedSource("demo_after", 1))]);

        for (var scrape = 1; scrape <= 2; scrape++)
        {
            var page = await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var samples = ExpositionFormat.Parse(page);
            Assert.DoesNotContain("demo_half_written", page, StringComparison.Ordinal);
            Assert.Equal(1, samples.Value("demo_after"));
            Assert.Equal(scrape, samples.Value("auditrail_metrics_collect_errors_total"));
        }

        Assert.Contains(logs.Lines, l => l.StartsWith("Error Auditrail.Server.Metrics", StringComparison.Ordinal)
            && l.Contains(nameof(ThrowingSource), StringComparison.Ordinal) && l.Contains("disk on fire", StringComparison.Ordinal));
    }

    [Fact]
    public async Task File_tailing_runs_as_a_module_and_its_counters_appear_on_the_page()
    {
        await using var tail = new TailHarness();
        var wal = new InMemoryWriteAheadLog();
        var auditLog = tail.PathOf("audit.log");
        TailHarness.AppendEvents(auditLog, "1", "2");
        TailHarness.Append(auditLog, "not json");
        await using var server = await RunningServer.StartAsync(new TeamLabelReviewer(),
            extraModules: [new MetricsModule(new MetricsOptions()), new FileTailModule(wal, tail.Options(auditLog))]);

        IReadOnlyList<MetricSample> samples = [];
        await tail.WaitUntilAsync(() =>
        {
            samples = ExpositionFormat.Parse(server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult());
            // Until the first poll the file has no lag sample yet, so look without asserting.
            return samples.Any(s => s.Name == "auditrail_tail_events_appended_total" && s.Value == 2)
                && samples.Any(s => s.Name == "auditrail_tail_lag_bytes" && s.Labels.GetValueOrDefault("path") == auditLog && s.Value == 0);
        }, "the tail counters on /metrics");

        Assert.Equal(2, wal.Lines.Count);
        Assert.Equal(3, samples.Value("auditrail_tail_lines_read_total"));
        Assert.Equal(1, samples.Value("auditrail_tail_bad_lines_total", ("reason", "not_json")));
        Assert.Equal(1, samples.Value("auditrail_tail_files"));
    }

    private static async Task<HttpStatusCode> ScrapeStatusAsync(RunningServer server, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Client.SendAsync(request);
        return response.StatusCode;
    }

    private sealed class SourceModule(params IMetricsSource[] sources) : IServerModule
    {
        public void ConfigureServices(IServiceCollection services)
        {
            foreach (var source in sources)
            {
                services.AddSingleton(source);
            }
        }

        public void MapEndpoints(IEndpointRouteBuilder endpoints)
        {
        }
    }

    private sealed class FixedSource(string name, double value) : IMetricsSource
    {
        public void Collect(MetricsWriter writer) => writer.Gauge(name, "A fixed test value.", value);
    }

    private sealed class ThrowingSource : IMetricsSource
    {
        public void Collect(MetricsWriter writer)
        {
            writer.Counter("demo_half_written_total", "Written before the failure.", 1);
            throw new IOException("disk on fire");
        }
    }
}
