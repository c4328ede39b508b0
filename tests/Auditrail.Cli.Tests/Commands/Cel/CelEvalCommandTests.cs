using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Cel;

public class CelEvalCommandTests
{
    [Fact]
    public void Evaluates_a_plain_expression()
    {
        var result = CliRunner.Run("cel", "eval", "[1, 2, 3].map(x, x * 2)");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("[2, 4, 6]", result.Out.Trim());
    }

    [Fact]
    public void Evaluates_against_every_event_with_catalog_fields()
    {
        var result = CliRunner.Run("cel", "eval", "objectRef.subresource == 'exec'", "--event", CliRunner.Data("falco-k8saudit", "trace_files", "exec_pod.json"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6\ttrue", result.Out.Trim());
    }

    [Fact]
    public void Variables_come_from_json_and_output_can_be_json()
    {
        var result = CliRunner.Run("cel", "eval", "object.spec.replicas > limit", "--var", "object={\"spec\":{\"replicas\":5}}", "--var", "limit=3", "-o", "json");

        using var document = JsonDocument.Parse(result.Out);
        Assert.True(document.RootElement.GetProperty("result").GetBoolean());
        Assert.Equal("bool", document.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void Compile_errors_are_positioned_and_exit_2()
    {
        var result = CliRunner.Run("cel", "eval", "1 +\n  foo");

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("error: 2:3: undeclared reference to 'foo'", result.Error);
    }

    [Fact]
    public void An_error_result_exits_1()
    {
        var result = CliRunner.Run("cel", "eval", "1 / 0");

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Contains("division by zero", result.Out);
    }
}
