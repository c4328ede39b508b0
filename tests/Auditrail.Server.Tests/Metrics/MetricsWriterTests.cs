using Auditrail.Detection.Sinks;
using Auditrail.Server.Metrics;

namespace Auditrail.Server.Tests.Metrics;

public sealed class MetricsWriterTests
{
    [Fact]
    public void Each_family_gets_one_help_and_one_type_and_its_samples_read_back()
    {
        var writer = new MetricsWriter();
        writer.Counter("demo_events_total", "Events.", 3, ("stage", "ResponseComplete"));
        writer.Counter("demo_events_total", "Events.", 5, ("stage", "Panic"));
        writer.Gauge("demo_queue_depth", "Depth.", 7);

        var page = writer.ToString();
        var samples = ExpositionFormat.Parse(page);

        Assert.Equal(3, samples.Value("demo_events_total", ("stage", "ResponseComplete")));
        Assert.Equal(5, samples.Value("demo_events_total", ("stage", "Panic")));
        Assert.Equal(7, samples.Value("demo_queue_depth"));
        Assert.Single(page.Split('\n'), l => l == "# TYPE demo_events_total counter");
        Assert.Single(page.Split('\n'), l => l == "# TYPE demo_queue_depth gauge");
        Assert.Single(page.Split('\n'), l => l.StartsWith("# HELP demo_events_total ", StringComparison.Ordinal));
    }

    [Fact]
    public void Label_values_and_help_text_are_escaped()
    {
        var writer = new MetricsWriter();
        const string Path = "C:\\logs\\\"audit\"\nlog";
        writer.Gauge("demo_lag_bytes", "Lag of a file\\path,\nper file.", 1, ("path", Path));

        var page = writer.ToString();
        Assert.Contains("# HELP demo_lag_bytes Lag of a file\\\\path,\\nper file.\n", page, StringComparison.Ordinal);
        Assert.Contains("path=\"C:\\\\logs\\\\\\\"audit\\\"\\nlog\"", page, StringComparison.Ordinal);
        Assert.Equal(Path, Assert.Single(ExpositionFormat.Parse(page)).Labels["path"]);
    }

    [Fact]
    public void Special_and_large_values_use_the_format_spelling()
    {
        var writer = new MetricsWriter();
        writer.Gauge("demo_a", "a", double.PositiveInfinity);
        writer.Gauge("demo_b", "b", double.NaN);
        writer.Gauge("demo_c", "c", 1e21);
        writer.Gauge("demo_d", "d", 0.25);

        var page = writer.ToString();
        Assert.Contains("demo_a +Inf\n", page, StringComparison.Ordinal);
        Assert.Contains("demo_b NaN\n", page, StringComparison.Ordinal);
        var samples = ExpositionFormat.Parse(page);
        Assert.Equal(1e21, samples.Value("demo_c"));
        Assert.Equal(0.25, samples.Value("demo_d"));
    }

    [Fact]
    public void A_histogram_writes_cumulative_buckets_then_sum_and_count_per_label_set()
    {
        var latency = new Histogram([0.01, 0.1, 1]);
        latency.Observe(0.005);
        latency.Observe(TimeSpan.FromMilliseconds(50));
        latency.Observe(0.1);
        latency.Observe(7);
        var other = new Histogram([0.01, 0.1, 1]);
        var writer = new MetricsWriter();
        writer.Histogram("demo_duration_seconds", "Durations.", latency.Snapshot(), ("endpoint", "validate"));
        writer.Histogram("demo_duration_seconds", "Durations.", other.Snapshot(), ("endpoint", "mutate"));

        var page = writer.ToString();
        var samples = ExpositionFormat.Parse(page);
        Assert.Single(page.Split('\n'), l => l == "# TYPE demo_duration_seconds histogram");
        Assert.Equal(1, samples.Value("demo_duration_seconds_bucket", ("endpoint", "validate"), ("le", "0.01")));
        Assert.Equal(3, samples.Value("demo_duration_seconds_bucket", ("endpoint", "validate"), ("le", "0.1")));
        Assert.Equal(3, samples.Value("demo_duration_seconds_bucket", ("endpoint", "validate"), ("le", "1")));
        Assert.Equal(4, samples.Value("demo_duration_seconds_bucket", ("endpoint", "validate"), ("le", "+Inf")));
        Assert.Equal(4, samples.Value("demo_duration_seconds_count", ("endpoint", "validate")));
        Assert.Equal(7.155, samples.Value("demo_duration_seconds_sum", ("endpoint", "validate")), precision: 9);
        Assert.Equal(0, samples.Value("demo_duration_seconds_count", ("endpoint", "mutate")));
        Assert.Throws<ArgumentException>(() => new Histogram([1, 1]));
    }

    [Fact]
    public void A_family_written_again_after_another_is_refused()
    {
        var writer = new MetricsWriter();
        writer.Counter("demo_a_total", "a", 1);
        writer.Counter("demo_b_total", "b", 1);
        Assert.Throws<InvalidOperationException>(() => writer.Counter("demo_a_total", "a", 2));
    }

    [Theory]
    [InlineData("1starts_with_digit", "ok")]
    [InlineData("has-dash", "ok")]
    [InlineData("", "ok")]
    [InlineData("demo_total", "__reserved")]
    [InlineData("demo_total", "no:colons")]
    [InlineData("demo_total", "sp ace")]
    public void Invalid_metric_and_label_names_are_refused(string metric, string label) =>
        Assert.Throws<ArgumentException>(() => new MetricsWriter().Counter(metric, "help", 1, (label, "v")));

    [Fact]
    public void A_rollback_forgets_the_samples_and_families_written_since_the_mark()
    {
        var writer = new MetricsWriter();
        writer.Counter("demo_kept_total", "kept", 1);
        var mark = writer.Mark();
        writer.Counter("demo_dropped_total", "dropped", 1);
        writer.Rollback(mark);
        writer.Counter("demo_dropped_total", "written again", 2);

        var samples = ExpositionFormat.Parse(writer.ToString());
        Assert.Equal(2, samples.Count);
        Assert.Equal(2, samples.Value("demo_dropped_total"));
    }

    [Fact]
    public void Sink_statistics_become_one_family_per_figure_with_a_sample_per_sink()
    {
        var writer = new MetricsWriter();
        SinkMetrics.Write(writer, [
            new SinkStatistics("slack", Sent: 10, Failed: 1, Dropped: 2, Retried: 3, Deduplicated: 4, Filtered: 5, QueueDepth: 6),
            new SinkStatistics("file", Sent: 20, Failed: 0, Dropped: 0, Retried: 0, Deduplicated: 0, Filtered: 0, QueueDepth: 0),
        ]);

        var samples = ExpositionFormat.Parse(writer.ToString());
        Assert.Equal(14, samples.Count);
        Assert.Equal(10, samples.Value("auditrail_sink_alerts_sent_total", ("sink", "slack")));
        Assert.Equal(20, samples.Value("auditrail_sink_alerts_sent_total", ("sink", "file")));
        Assert.Equal(1, samples.Value("auditrail_sink_alerts_failed_total", ("sink", "slack")));
        Assert.Equal(2, samples.Value("auditrail_sink_alerts_dropped_total", ("sink", "slack")));
        Assert.Equal(3, samples.Value("auditrail_sink_retries_total", ("sink", "slack")));
        Assert.Equal(4, samples.Value("auditrail_sink_alerts_deduplicated_total", ("sink", "slack")));
        Assert.Equal(5, samples.Value("auditrail_sink_alerts_filtered_total", ("sink", "slack")));
        Assert.Equal(6, samples.Value("auditrail_sink_queue_depth", ("sink", "slack")));

        var empty = new MetricsWriter();
        SinkMetrics.Write(empty, []);
        Assert.Equal(string.Empty, empty.ToString());
    }
}
