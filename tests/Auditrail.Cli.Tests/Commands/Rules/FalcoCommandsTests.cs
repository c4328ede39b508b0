using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Rules;

/// <summary><c>rules import-falco</c>, <c>rules falco-suite</c>, and Falco rule files given to <c>scan</c> directly.</summary>
public sealed class FalcoCommandsTests : IDisposable
{
    private static readonly string Rules = CliRunner.Data("falco-k8saudit", "rules", "k8s_audit_rules.yaml");
    private static readonly string Gke = CliRunner.Data("falco-k8saudit", "rules", "k8s_audit_rules_gke.yaml");
    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-falco-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Import_writes_a_pack_that_lints_clean()
    {
        var result = CliRunner.Run("rules", "import-falco", Rules, Gke);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("import-falco: 48 of 48 rules, 45 macros, 18 lists translated; 0 items not translated", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("---\napiVersion: auditrail.io/v1alpha1\nkind: RulePack", result.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var pack = Path.Combine(_dir, "falco.yaml");
        File.WriteAllText(pack, result.Out);

        var lint = CliRunner.Run("rules", "lint", pack);
        Assert.Equal(ExitCodes.Success, lint.ExitCode);
        Assert.Equal("48 rules compiled; 0 errors, 0 warnings", lint.OutLines[^1]);
    }

    [Fact]
    public void Import_as_json_names_the_pack()
    {
        var result = CliRunner.Run("rules", "import-falco", Rules, "-o", "json", "--name", "falco-upstream");

        using var document = JsonDocument.Parse(result.Out);
        Assert.Equal("falco-upstream", document.RootElement.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal(48, document.RootElement.GetProperty("rules").GetArrayLength());
    }

    [Fact]
    public void Untranslated_items_are_reported_with_file_and_line_and_the_rest_is_written()
    {
        var file = Path.Combine(_dir, "mine.yaml");
        File.WriteAllText(file, "- rule: good\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: INFO\n  source: k8s_audit\n"
            + "- rule: bad\n  desc: d\n  condition: ka.verb = create and proc.name = sh\n  output: o\n  priority: INFO\n  source: k8s_audit\n");

        var result = CliRunner.Run("rules", "import-falco", file);

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Contains($"{file}:9:35 warning AR2011 rule 'bad' not translated: unknown field 'proc.name'", result.Error, StringComparison.Ordinal);
        Assert.Contains("name: good", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("name: bad", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_refuses_a_table_and_a_missing_file()
    {
        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("rules", "import-falco", Rules, "-o", "table").ExitCode);
        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("rules", "import-falco", Path.Combine(_dir, "nope.yaml")).ExitCode);
    }

    [Fact]
    public void Scan_takes_Falco_rule_files_directly()
    {
        var result = CliRunner.Run("scan", CliRunner.Data("falco-k8saudit", "trace_files", "create_nginx_pod_privileged.json"), "--rules", Rules, "-o", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var alert = JsonDocument.Parse(result.OutLines.Single());
        Assert.Equal("Create Privileged Pod", alert.RootElement.GetProperty("rule").GetString());
        Assert.Equal("medium", alert.RootElement.GetProperty("severity").GetString());
        Assert.Contains("images=nginx", alert.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_suite_prints_a_line_per_case_and_the_totals()
    {
        var result = CliRunner.Run("rules", "falco-suite", CliRunner.Data("falco-k8saudit", "test", "falco_k8s_audit_tests.yaml"));

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Equal(67, result.OutLines.Length);
        Assert.Equal("falco-suite: 59 passed, 7 failed, 0 skipped", result.OutLines[^1]);
        Assert.Contains("pass create_privileged_pod: Create Privileged Pod: 1 [skipped falco_rules.yaml (Falco's syscall rules)]", result.OutLines);
        Assert.Contains(result.OutLines, l => l.StartsWith("FAIL create_clusterrole: expected K8s Role/Clusterrole Created: 1, got 0", StringComparison.Ordinal));
        Assert.Contains("AR2011 rule 'ClusterRole With Pod Exec Created' not translated", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_suite_refuses_a_file_without_cases()
    {
        var file = Path.Combine(_dir, "empty.yaml");
        File.WriteAllText(file, "other: 1\n");

        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("rules", "falco-suite", file).ExitCode);
    }

    [Theory]
    [InlineData("import-falco", "auditrail rules import-falco k8s_audit_rules.yaml k8s_audit_rules_gke.yaml")]
    [InlineData("falco-suite", "auditrail rules falco-suite test/falco_k8s_audit_tests.yaml")]
    public void Help_shows_examples(string command, string example)
    {
        var result = CliRunner.Run("rules", command, "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(example, result.Out, StringComparison.Ordinal);
    }
}
