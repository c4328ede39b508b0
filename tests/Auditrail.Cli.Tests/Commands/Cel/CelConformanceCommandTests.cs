using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Cel;

public class CelConformanceCommandTests
{
    [Fact]
    public void Prints_a_table_and_the_summary_line_last()
    {
        var result = CliRunner.Run("cel", "conformance", CliRunner.Data("cel-spec", "basic.textproto"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("basic", result.Out);
        Assert.Equal("cel-spec: 43 passed, 0 failed, 0 skipped", result.OutLines[^1]);
    }

    [Fact]
    public void Details_name_the_reason_of_each_skip()
    {
        var result = CliRunner.Run("cel", "conformance", CliRunner.Data("cel-spec", "timestamps.textproto"), "--details");

        Assert.Contains("skipped timestamps/", result.Out);
        Assert.Contains("needs the proto2/proto3 test message types", result.Out);
    }

    [Fact]
    public void Json_output_counts_per_file()
    {
        var result = CliRunner.Run("cel", "conformance", CliRunner.Data("cel-spec", "macros.textproto"), "-o", "json");

        using var document = JsonDocument.Parse(result.Out);
        Assert.Equal(44, document.RootElement.GetProperty("passed").GetInt32());
        Assert.Equal("macros", document.RootElement.GetProperty("files")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void A_missing_directory_is_a_usage_error()
    {
        var result = CliRunner.Run("cel", "conformance", "/nonexistent");

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("no .textproto files", result.Error);
    }
}
