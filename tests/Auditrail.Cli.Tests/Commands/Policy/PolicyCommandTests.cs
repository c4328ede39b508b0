using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Policy;

/// <summary><c>policy check|simulate|recommend</c> end to end on the corpus data.</summary>
public sealed class PolicyCommandTests : IDisposable
{
    private static readonly string Gce = CliRunner.Data("audit-policy", "gce-master-audit-policy.yaml");
    private static readonly string Log = CliRunner.Data("audit-logs", "audit2rbac-demo-2017-v1beta1.jsonl");

    private readonly ScratchDirectory _scratch = new("auditrail-policy-");

    private string Dir => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    private string Write(string name, string text) => _scratch.Write(name, text);

    [Fact]
    public void Check_passes_the_GCE_policy()
    {
        var result = CliRunner.Run("policy", "check", Gce);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.EndsWith("17 rules; 0 errors, 0 warnings", result.OutLines[^1]);
    }

    [Fact]
    public void Check_reports_errors_with_line_code_and_rule_and_fails()
    {
        var path = Write("bad.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n  - level: metadata\n    nonResourceURLs: [healthz]\n");

        var result = CliRunner.Run("policy", "check", path);

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Contains($"{path}:5:12 error AR3004 rules[1]: level 'metadata' is not supported", result.Out);
        Assert.Contains($"{path}:6:23 error AR3006 rules[1]: nonResourceURLs[0] 'healthz' must begin with a '/' character", result.Out);
        Assert.Contains("lint skipped until the errors are fixed", result.Out);
    }

    [Fact]
    public void Check_explains_lint_findings_as_JSON_and_fails_on_them_with_strict()
    {
        var path = Write("lint.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: RequestResponse\n    resources: [{group: \"\", resources: [pods/*]}]\n");

        var lenient = CliRunner.Run("policy", "check", path, "-o", "json");
        var strict = CliRunner.Run("policy", "check", path, "--strict");

        Assert.Equal(ExitCodes.Success, lenient.ExitCode);
        Assert.Equal(ExitCodes.BadRecords, strict.ExitCode);
        using var json = JsonDocument.Parse(lenient.Out);
        var codes = json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).Order().ToList();
        Assert.Equal(["AR3103", "AR3104", "AR3105", "AR3106"], codes);
        var first = json.RootElement.GetProperty("findings")[0];
        Assert.Equal(0, first.GetProperty("rule").GetInt32());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("explanation").GetString()));
    }

    [Fact]
    public void Check_of_a_file_that_is_not_a_policy_is_unusable_input()
    {
        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("policy", "check", Path.Combine(Dir, "missing.yaml")).ExitCode);
        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("policy", "check", Log).ExitCode);
    }

    [Fact]
    public void Simulate_prints_volume_rules_sources_and_blind_spots()
    {
        var result = CliRunner.Run("policy", "simulate", "--policy", Gce, Log);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("over 757 events from 1 sources", result.Out);
        foreach (var section in new[] { "By level", "By rule (first match wins)", "Noisiest sources after the policy" })
        {
            Assert.Contains(section, result.Out);
        }

        Assert.Contains("simulated 757 events", result.Error);
    }

    [Fact]
    public void Simulate_as_JSON_adds_up()
    {
        var result = CliRunner.Run("policy", "simulate", "--policy", Gce, Log, "-o", "json");

        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(757, root.GetProperty("before").GetProperty("events").GetInt64());
        Assert.Equal(18, root.GetProperty("byRule").GetArrayLength());
        Assert.Equal(757, root.GetProperty("byRule").EnumerateArray().Sum(r => r.GetProperty("before").GetProperty("events").GetInt64()));
        Assert.True(root.GetProperty("coverage").GetProperty("rulesNeedingEvents").GetInt32() > 0);
    }

    [Fact]
    public void Simulate_with_events_writes_one_decision_per_event_and_the_summary_to_stderr()
    {
        var result = CliRunner.Run("policy", "simulate", "--policy", Gce, Log, "--events", "--no-blind-spots");

        Assert.Equal(757, result.OutLines.Length);
        using var first = JsonDocument.Parse(result.OutLines[0]);
        Assert.Equal(["auditID", "stage", "level", "rule", "recorded"], first.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Contains("By level", result.Error);
    }

    [Fact]
    public void Simulate_refuses_an_invalid_policy()
    {
        var path = Write("bad.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - verbs: [get]\n");

        var result = CliRunner.Run("policy", "simulate", "--policy", path, Log);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("AR3003", result.Error);
    }

    [Fact]
    public void Recommend_writes_a_policy_that_check_accepts_and_reports_what_it_keeps()
    {
        var output = Path.Combine(Dir, "recommended.yaml");

        var result = CliRunner.Run("policy", "recommend", Log, "--out", output);
        var check = CliRunner.Run("policy", "check", output);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("expected on this traffic: events 757 -> ", result.Out);
        Assert.Contains("detection coverage kept:", result.Out);
        Assert.StartsWith("# Audit policy recommended by `auditrail policy recommend`", File.ReadAllText(output));
        Assert.Equal(ExitCodes.Success, check.ExitCode);
    }

    [Fact]
    public void Recommend_cannot_read_stdin_twice()
    {
        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("policy", "recommend", "-").ExitCode);
    }

    [Fact]
    public void Help_shows_examples()
    {
        var result = CliRunner.Run("policy", "simulate", "--help");

        Assert.Contains("auditrail policy simulate --policy audit-policy.yaml /var/log/kubernetes/audit/", result.Out);
    }
}
