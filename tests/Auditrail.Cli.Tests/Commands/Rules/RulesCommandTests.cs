using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Rules;

/// <summary><c>rules lint|list|test</c> on a small pack written to a temporary folder.</summary>
public sealed class RulesCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-rules-").FullName;

    public RulesCommandTests()
    {
        File.WriteAllText(Path.Combine(_dir, "pack.yaml"), """
            apiVersion: auditrail.io/v1alpha1
            kind: RulePack
            metadata: {name: t}
            rules:
              - name: exec-into-pod
                severity: high
                tags: [T1609]
                stages: [ResponseStarted]
                condition: verb == 'create' && objectRef.subresource == 'exec'
            """);
        Directory.CreateDirectory(Path.Combine(_dir, "tests"));
        File.Copy(CliRunner.Data("falco-k8saudit", "trace_files", "exec_pod.json"), Path.Combine(_dir, "tests", "fires.json"));
        File.Copy(CliRunner.Data("falco-k8saudit", "trace_files", "attach_pod.json"), Path.Combine(_dir, "tests", "near-miss.json"));
        File.WriteAllText(Path.Combine(_dir, "tests", "exec.yaml"), """
            apiVersion: auditrail.io/v1alpha1
            kind: RuleTest
            metadata: {name: exec}
            rules: [../pack.yaml]
            events: [fires.json, near-miss.json]
            expect:
              - {rule: exec-into-pod, alerts: 1}
            """);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Test_runs_suites_and_reports_each_expectation()
    {
        var result = CliRunner.Run("rules", "test", Path.Combine(_dir, "tests"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("pass exec exec-into-pod: expected 1 alerts, got 1", result.OutLines[0]);
        Assert.Equal("rules-test: 1 passed, 0 failed, 0 errors in 1 suites", result.OutLines[^1]);
    }

    [Fact]
    public void A_wrong_expectation_fails_the_run()
    {
        File.WriteAllText(Path.Combine(_dir, "tests", "exec.yaml"),
            File.ReadAllText(Path.Combine(_dir, "tests", "exec.yaml")).Replace("alerts: 1", "alerts: 2", StringComparison.Ordinal));

        var result = CliRunner.Run("rules", "test", Path.Combine(_dir, "tests"));

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.StartsWith("FAIL exec exec-into-pod: expected 2 alerts, got 1", result.OutLines[0]);
    }

    [Fact]
    public void Lint_and_list_describe_the_pack()
    {
        var lint = CliRunner.Run("rules", "lint", Path.Combine(_dir, "pack.yaml"));
        var list = CliRunner.Run("rules", "list", Path.Combine(_dir, "pack.yaml"), "-o", "json");

        Assert.Equal(ExitCodes.Success, lint.ExitCode);
        Assert.Contains("1 rules compiled; 0 errors, 0 warnings", lint.Out);
        using var document = JsonDocument.Parse(list.Out);
        var rule = document.RootElement[0];
        Assert.Equal("exec-into-pod", rule.GetProperty("name").GetString());
        Assert.Equal("create", rule.GetProperty("verbs")[0].GetString());
    }
}
