using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Read;

public class ReadCommandTests
{
    [Fact]
    public void Prints_one_normalized_json_event_per_line()
    {
        var result = CliRunner.Run("read", CliRunner.Data("audit2rbac", "demo.log"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(37, result.OutLines.Length);
        foreach (var line in result.OutLines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal("audit.k8s.io/v1", document.RootElement.GetProperty("apiVersion").GetString());
        }
    }

    [Fact]
    public void Stats_as_json_count_events_and_name_the_bad_record()
    {
        var result = CliRunner.Run("read", CliRunner.Data("falco-k8saudit", "trace_files"), "--stats", "-o", "json");

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        using var stats = JsonDocument.Parse(result.Out);
        var root = stats.RootElement;
        Assert.Equal(51, root.GetProperty("events").GetInt32());
        Assert.Equal(48, root.GetProperty("sources").GetInt32());
        Assert.Equal(51, root.GetProperty("byFormat").GetProperty("json-lines").GetInt32());
        Assert.Equal(49, root.GetProperty("byStage").GetProperty("ResponseComplete").GetInt32());
        Assert.Equal(40, root.GetProperty("byVerb").GetProperty("create").GetInt32());
        Assert.True(root.GetProperty("byIdentityKind").GetProperty("human").GetInt32() > 0);
        Assert.Equal(38, root.GetProperty("byResponseCode").GetProperty("201").GetInt32());
        var diagnostics = root.GetProperty("diagnostics");
        Assert.Equal(1, diagnostics.GetProperty("errors").GetInt32());
        var bad = diagnostics.GetProperty("items").EnumerateArray().Single(d => d.GetProperty("severity").GetString() == "error");
        Assert.EndsWith("fal_01_003.json:1 $.kind", bad.GetProperty("location").GetString());
    }

    [Fact]
    public void Stats_table_is_the_default_for_stats()
    {
        var result = CliRunner.Run("read", CliRunner.Data("cloud-envelopes", "aks-diagnostic-records.json"), "--stats");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("aks-diagnostics", result.Out);
        Assert.Contains("Events by identity kind", result.Out);
    }

    [Fact]
    public void Yaml_output_is_one_document_per_event()
    {
        var result = CliRunner.Run("read", CliRunner.Data("falco-k8saudit", "trace_files", "create_configmap_sensitive_values.json"), "-o", "yaml");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(6, result.OutLines.Count(l => l == "---"));
        Assert.Contains("kind: Event", result.Out);
    }

    [Fact]
    public void Table_output_has_a_header_and_a_row_per_event()
    {
        var result = CliRunner.Run("read", CliRunner.Data("falco-k8saudit", "trace_files", "exec_pod.json"), "-o", "table");

        Assert.Equal(2, result.OutLines.Length);
        Assert.StartsWith("TIME", result.OutLines[0]);
        Assert.Contains("default/pods/nginx-deployment-7998647bdf-phvq7/exec", result.OutLines[1]);
        Assert.Contains("101", result.OutLines[1]);
    }

    [Fact]
    public void Reads_stdin_when_given_a_dash()
    {
        var stdin = File.ReadAllText(CliRunner.Data("audit2rbac", "demo.log"));

        var result = CliRunner.RunWithStdin(stdin, "read", "-", "--stats", "-o", "json");

        using var stats = JsonDocument.Parse(result.Out);
        Assert.Equal(37, stats.RootElement.GetProperty("events").GetInt32());
        Assert.Equal(37, stats.RootElement.GetProperty("bySource").GetProperty("<stdin>").GetInt32());
    }

    [Fact]
    public void Bad_records_go_to_stderr_with_their_location_and_exit_1()
    {
        var result = CliRunner.Run("read", CliRunner.Data("falco-k8saudit", "trace_files", "fal_01_003.json"), CliRunner.Data("audit2rbac", "demo.log"));

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Equal(37, result.OutLines.Length);
        Assert.Contains("fal_01_003.json:1 $.kind: error AR1002", result.Error);
    }

    [Fact]
    public void A_missing_file_exits_2()
    {
        var result = CliRunner.Run("read", "/nonexistent/audit.log");

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("no such file", result.Error);
    }

    [Fact]
    public void An_unknown_output_format_is_a_usage_error()
    {
        var result = CliRunner.Run("read", "x.log", "-o", "xml");

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("unknown output format 'xml'", result.Error);
        Assert.Contains("auditrail read --help", result.Error);
    }

    [Fact]
    public void Help_shows_examples_and_exit_codes()
    {
        var result = CliRunner.Run("read", "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("Examples:", result.Out);
        Assert.Contains("auditrail read /var/log/kubernetes/audit --stats", result.Out);
        Assert.Contains("Exit codes:", result.Out);
    }
}
