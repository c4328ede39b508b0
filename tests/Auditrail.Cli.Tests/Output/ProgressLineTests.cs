using Auditrail.Cli.Output;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Output;

public sealed class ProgressLineTests
{
    private const long Large = ProgressOptions.LargeInputBytes;

    [Theory]
    [InlineData(false, false, true, Large, true)] // a terminal and a large input
    [InlineData(false, false, true, Large - 1, false)] // small inputs finish before a line helps
    [InlineData(false, false, false, Large, false)] // stderr redirected: nobody watches
    [InlineData(false, false, true, null, true)] // stdin: size unknown, may be large
    [InlineData(true, false, false, 10L, true)] // --progress forces it
    [InlineData(false, true, true, Large, false)] // --no-progress wins over a terminal
    public void Progress_is_drawn_only_when_it_helps_or_is_asked_for(bool force, bool disable, bool terminal, long? total, bool expected) =>
        Assert.Equal(expected, ProgressOptions.ShouldShow(force, disable, terminal, total));

    [Fact]
    public void The_line_shows_bytes_of_the_total_events_per_second_and_the_time_left()
    {
        var line = new ProgressLine(new StringWriter(), "scanning", 1L << 30, new ManualTime()) { Events = 500_000 };
        line.Report(256L << 20);

        Assert.Equal("scanning 256.0 MiB / 1.0 GiB [######------------------]  25%  50,000 events/s  ETA 0:30", line.Render(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Without_a_total_the_line_shows_what_was_read_and_the_time_spent()
    {
        var line = new ProgressLine(new StringWriter(), "reading", null, new ManualTime()) { Events = 100 };
        line.Report(3L << 20);

        Assert.Equal("reading 3.0 MiB  10 events/s  0:10 elapsed", line.Render(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Redraws_are_throttled_and_the_line_is_cleared()
    {
        var error = new StringWriter();
        var time = new ManualTime();
        var line = new ProgressLine(error, "scanning", 1000, time);

        line.Report(100);
        line.Report(200);
        time.Advance(TimeSpan.FromSeconds(1));
        line.Report(300);
        line.Clear();

        Assert.Equal(2, error.ToString().Split('\r').Count(s => s.StartsWith("scanning", StringComparison.Ordinal)));
        Assert.EndsWith("\r\x1b[K", error.ToString());
    }

    [Fact]
    public void Forced_progress_goes_to_stderr_and_never_to_stdout()
    {
        var result = CliRunner.Run("scan", CliRunner.Data("falco-k8saudit", "trace_files"), "-o", "json", "--progress");

        Assert.Contains("scanning ", result.Error);
        Assert.DoesNotContain("scanning ", result.Out);
        Assert.DoesNotContain("\x1b", result.Out);
    }

    [Fact]
    public void Without_a_terminal_no_progress_is_drawn()
    {
        var result = CliRunner.Run("scan", CliRunner.Data("falco-k8saudit", "trace_files"), "-o", "json");

        Assert.DoesNotContain("\x1b", result.Error);
    }

    [Fact]
    public void Read_takes_the_progress_options_too()
    {
        var result = CliRunner.Run("read", CliRunner.Data("audit2rbac", "demo.log"), "--progress");

        Assert.Contains("reading ", result.Error);
        Assert.DoesNotContain("reading ", result.Out);
    }

    [Fact]
    public void Progress_and_no_progress_together_are_a_usage_error() =>
        Assert.Equal(2, CliRunner.Run("scan", CliRunner.Data("audit2rbac", "demo.log"), "--progress", "--no-progress").ExitCode);

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
