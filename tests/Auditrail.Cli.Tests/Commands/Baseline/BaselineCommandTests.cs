using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Baseline;

/// <summary><c>baseline learn</c>, <c>baseline show</c> and <c>scan --baseline</c> together, through files on disk.</summary>
public sealed class BaselineCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-baseline-cli-").FullName;

    private string PathOf(string name) => Path.Combine(_directory, name);

    public BaselineCommandTests() => File.WriteAllText(PathOf("rules.yaml"), """
        apiVersion: auditrail.io/v1alpha1
        kind: RulePack
        metadata: {name: t}
        rules:
          - name: new-source-ip
            severity: medium
            condition: identity.kind == 'serviceaccount'
            newTerms: {fields: [sourceIP], by: [identity.name], learnFor: 7d}
            output: "%{identity.name} from %{sourceIP}"
        """);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Log(string name, params (string Time, string Ip)[] events)
    {
        var lines = events.Select((e, i) =>
            $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{name}}-{{i}}","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"system:serviceaccount:ci:deployer"},"sourceIPs":["{{e.Ip}}"],"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"code":200},"stageTimestamp":"{{e.Time}}"}""");
        File.WriteAllLines(PathOf(name), lines);
        return PathOf(name);
    }

    [Fact]
    public void A_baseline_learned_from_old_logs_makes_the_next_scan_alert_on_a_new_address()
    {
        var old = Log("old.jsonl", ("2024-05-01T10:00:00Z", "10.0.0.5"), ("2024-05-01T11:00:00Z", "10.0.0.6"));
        var today = Log("today.jsonl", ("2024-05-02T10:00:00Z", "10.0.0.5"), ("2024-05-02T10:05:00Z", "198.51.100.7"));
        var baseline = PathOf("baseline.json");

        var learn = CliRunner.Run("baseline", "learn", old, "--rules", PathOf("rules.yaml"), "--baseline", baseline);
        var scan = CliRunner.Run("scan", today, "--rules", PathOf("rules.yaml"), "--baseline", baseline, "-o", "json");

        Assert.Equal(ExitCodes.Success, learn.ExitCode);
        Assert.Contains("new-source-ip (NewTerms): 1 keys", learn.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, scan.ExitCode);
        var alert = JsonDocument.Parse(Assert.Single(scan.OutLines)).RootElement;
        Assert.Equal("198.51.100.7", alert.GetProperty("sourceIP").GetString());
        Assert.Equal("new sourceIP '198.51.100.7' for system:serviceaccount:ci:deployer (known: 2 values)", alert.GetProperty("detail").GetString());

        // The scan wrote back what it saw: the new address is now normal.
        var show = CliRunner.Run("baseline", "show", baseline, "-o", "json");
        var rule = JsonDocument.Parse(show.Out).RootElement.GetProperty("rules")[0];
        Assert.Equal((1, 1, 3L), (rule.GetProperty("keys").GetInt32(), rule.GetProperty("trainedKeys").GetInt32(), rule.GetProperty("values").GetInt64()));
    }

    [Fact]
    public void Without_a_baseline_the_same_scan_is_still_learning()
    {
        var today = Log("today.jsonl", ("2024-05-02T10:00:00Z", "10.0.0.5"), ("2024-05-02T10:05:00Z", "198.51.100.7"));

        var scan = CliRunner.Run("scan", today, "--rules", PathOf("rules.yaml"), "-o", "json");

        Assert.Empty(scan.OutLines);
    }

    [Fact]
    public void Show_prints_a_table_per_rule()
    {
        var baseline = PathOf("baseline.json");
        CliRunner.Run("baseline", "learn", Log("old.jsonl", ("2024-05-01T10:00:00Z", "10.0.0.5")), "--rules", PathOf("rules.yaml"), "--baseline", baseline);

        var show = CliRunner.Run("baseline", "show", baseline);

        Assert.Equal(ExitCodes.Success, show.ExitCode);
        Assert.Contains("new-source-ip", show.Out, StringComparison.Ordinal);
        Assert.Contains("newTerms;by=identity.name;fields=sourceIP", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_baseline_stops_the_scan_with_a_clear_error()
    {
        File.WriteAllText(PathOf("bad.json"), "{\"kind\":\"Baseline\",\"rules\":[");

        var scan = CliRunner.Run("scan", Log("today.jsonl", ("2024-05-02T10:00:00Z", "10.0.0.5")), "--rules", PathOf("rules.yaml"), "--baseline", PathOf("bad.json"));

        Assert.Equal(ExitCodes.UsageOrUnusableInput, scan.ExitCode);
        Assert.Contains("bad.json: line 1: not valid JSON", scan.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Learning_with_a_pack_that_learns_nothing_is_a_usage_error()
    {
        File.WriteAllText(PathOf("plain.yaml"), "apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nrules:\n  - name: x\n    condition: verb == 'get'\n");

        var learn = CliRunner.Run("baseline", "learn", Log("old.jsonl", ("2024-05-01T10:00:00Z", "10.0.0.5")), "--rules", PathOf("plain.yaml"), "--baseline", PathOf("b.json"));

        Assert.Equal(ExitCodes.UsageOrUnusableInput, learn.ExitCode);
        Assert.Contains("no rule in the pack learns a baseline", learn.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("b.json")));
    }

    [Fact]
    public void Bad_stateful_options_are_usage_errors()
    {
        var log = Log("today.jsonl", ("2024-05-02T10:00:00Z", "10.0.0.5"));

        Assert.Equal(ExitCodes.UsageOrUnusableInput, CliRunner.Run("scan", log, "--rules", PathOf("rules.yaml"), "--max-keys", "0").ExitCode);
        Assert.Contains("--late-tolerance 'soon'", CliRunner.Run("scan", log, "--rules", PathOf("rules.yaml"), "--late-tolerance", "soon").Error, StringComparison.Ordinal);
    }
}
