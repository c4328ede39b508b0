using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Import;

public sealed class ImportCommandTests : IDisposable
{
    private readonly StoreWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Import_reports_bad_records_by_file_and_line_stores_the_rest_and_a_second_import_adds_nothing()
    {
        var log = _workspace.Write("mixed.log",
            StoreWorkspace.Line("m1", "09:00:00", "get", "alice", "pods", "a", null, 200, "10.0.0.1"),
            "{\"kind\": \"Event\", broken",
            StoreWorkspace.Line("m2", "09:00:01", "get", "alice", "pods", "b", null, 200, "10.0.0.1"));

        var first = CliRunner.Run("import", log, "--store", _workspace.Store);
        var second = CliRunner.Run("import", log, "--store", _workspace.Store);

        Assert.Equal(ExitCodes.BadRecords, first.ExitCode);
        Assert.Contains($"{log}:2", first.Error, StringComparison.Ordinal);
        Assert.Contains("read 2 events", first.Out, StringComparison.Ordinal);
        Assert.Contains("stored 2 ", first.Out, StringComparison.Ordinal);
        Assert.Contains("stored 0 ", second.Out, StringComparison.Ordinal);
        Assert.Contains("skipped 2 duplicates", second.Out, StringComparison.Ordinal);
        Assert.Contains(": 2 events", second.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_age_purges_what_is_older_after_the_import()
    {
        // The log is from March 2026; a day of retention from now keeps none of it.
        var result = CliRunner.Run("import", _workspace.Log, "--store", _workspace.Store, "--max-age", "1d");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("purged 4 events", result.Out, StringComparison.Ordinal);
        Assert.Contains(": 0 events", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-size", "lots")]
    [InlineData("--max-age", "forever")]
    public void Bad_retention_values_are_usage_errors(string option, string value)
    {
        var result = CliRunner.Run("import", _workspace.Log, "--store", _workspace.Store, option, value);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_workspace.Store));
    }
}
