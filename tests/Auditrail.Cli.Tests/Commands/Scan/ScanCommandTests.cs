using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Scan;

public sealed class ScanCommandTests : IDisposable
{
    private readonly string _rules = Path.Combine(Path.GetTempPath(), $"auditrail-scan-{Guid.NewGuid():N}.yaml");

    public ScanCommandTests() => File.WriteAllText(_rules, """
        apiVersion: auditrail.io/v1alpha1
        kind: RulePack
        metadata: {name: t}
        rules:
          - name: exec-into-pod
            severity: high
            stages: [ResponseStarted]
            condition: objectRef.subresource == 'exec'
          - name: forbidden
            severity: low
            condition: responseStatus.code == 403
        """);

    public void Dispose() => File.Delete(_rules);

    [Fact]
    public void Json_output_is_one_alert_per_line_and_the_summary_goes_to_stderr()
    {
        var result = CliRunner.Run("scan", CliRunner.Data("audit2rbac", "demo.log"), CliRunner.Data("falco-k8saudit", "trace_files", "exec_pod.json"), "--rules", _rules, "-o", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var alerts = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(1, alerts.Count(a => a.GetProperty("rule").GetString() == "exec-into-pod"));
        Assert.True(alerts.Count(a => a.GetProperty("rule").GetString() == "forbidden") > 0);
        Assert.Contains("Alerts by rule", result.Error);
    }

    [Fact]
    public void Fail_on_exits_3_when_a_severe_enough_alert_fired()
    {
        var exec = CliRunner.Data("falco-k8saudit", "trace_files", "exec_pod.json");

        Assert.Equal(3, CliRunner.Run("scan", exec, "--rules", _rules, "--fail-on", "high").ExitCode);
        Assert.Equal(ExitCodes.Success, CliRunner.Run("scan", exec, "--rules", _rules, "--fail-on", "critical").ExitCode);
    }

    [Fact]
    public void Rule_errors_stop_the_scan_with_their_place()
    {
        File.WriteAllText(_rules, "apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nrules:\n  - name: x\n    condition: verbb == 'get'\n");

        var result = CliRunner.Run("scan", CliRunner.Data("audit2rbac", "demo.log"), "--rules", _rules);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains(":5:16 error AR2005 rule 'x': condition does not compile: undeclared reference to 'verbb'", result.Error);
    }

    [Fact]
    public void Without_rules_the_bundled_default_pack_runs()
    {
        var result = CliRunner.Run("scan", CliRunner.Data("falco-k8saudit", "trace_files"), "-o", "json");

        var rules = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("rule").GetString()).ToHashSet();
        Assert.Contains("privileged-container", rules);
        Assert.Contains("binding-to-cluster-admin", rules);
        Assert.Contains("exec-or-attach-into-pod", rules);
    }

    [Fact]
    public void Since_and_until_limit_the_window_in_event_time()
    {
        var result = CliRunner.Run("scan", CliRunner.Data("audit2rbac", "demo.log"), "--rules", _rules, "-o", "json", "--until", "2000-01-01T00:00:00Z");

        Assert.Empty(result.OutLines);
        Assert.Contains("0 alerts", result.Error);
    }
}
