using Auditrail.Detection.Responses;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Tests.Responses;

public sealed class ResponseConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("auditrail-response-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ResponseConfig LoadText(string yaml)
    {
        var path = Path.Combine(_dir, "responses.yaml");
        File.WriteAllText(path, yaml);
        return ResponseConfigLoader.Load(path);
    }

    [Fact]
    public void Reads_options_rules_and_every_action_shape()
    {
        var config = LoadText("""
            dryRun: false
            allowedNamespaces: [team, web]
            allowClusterScoped: true
            repeatWindow: 2h
            recordFile: out/responses.jsonl
            rules:
            - name: quarantine-exec
              alertRule: "exec-*"
              minimumSeverity: critical
              actions:
              - action: label
                labels: {auditrail.io/quarantine: "true"}
              - action: deletePod
              - action: cordonNode
                target: nodes/worker-7
            """);

        Assert.Empty(config.Diagnostics);
        Assert.False(config.Options.DryRun);
        Assert.Equal(["team", "web"], config.Options.AllowedNamespaces.Order(StringComparer.Ordinal));
        Assert.True(config.Options.AllowClusterScoped);
        Assert.Equal(TimeSpan.FromHours(2), config.Options.RepeatWindow);
        Assert.Equal("out/responses.jsonl", config.Options.RecordFile);
        var rule = Assert.Single(config.Rules);
        Assert.Equal(("quarantine-exec", "exec-*", Severity.Critical), (rule.Name, rule.AlertRule, rule.MinimumSeverity));
        Assert.Equal([ResponseActionKind.Label, ResponseActionKind.DeletePod, ResponseActionKind.CordonNode], rule.Actions.Select(a => a.Kind));
        Assert.Equal("true", rule.Actions[0].Values["auditrail.io/quarantine"]);
        Assert.Equal("nodes/worker-7", rule.Actions[2].Target);
        Assert.Null(rule.Actions[1].Target);
    }

    [Fact]
    public void Without_dry_run_set_the_file_stays_a_dry_run_and_says_so()
    {
        var config = LoadText("""
            rules:
            - name: r
              actions: [{action: deletePod}]
            """);

        Assert.True(config.Options.DryRun);
        Assert.False(config.HasErrors);
        var warning = Assert.Single(config.Diagnostics);
        Assert.True(warning.IsWarning);
        Assert.Contains("dryRun is not set", warning.Message, StringComparison.Ordinal);
        Assert.Single(config.Rules);
    }

    [Fact]
    public void Every_problem_is_placed_and_good_rules_still_load()
    {
        var config = LoadText("""
            dryRun: maybe
            repeatWindow: soon
            colour: blue
            rules:
            - name: bad-action
              actions:
              - action: explode
            - name: bad-severity
              minimumSeverity: urgent
              actions: [{action: deletePod}]
            - name: label-without-labels
              actions: [{action: label}]
            - name: bad-target
              actions: [{action: cordonNode, target: /healthz}]
            - actions: [{action: deletePod}]
            - name: good
              actions: [{action: scaleToZero}]
            - name: bad-label
              actions: [{action: label, labels: {"auditrail.io/by": "mallory kim"}}]
            """);

        Assert.Equal(["good"], config.Rules.Select(r => r.Name));
        Assert.Equal(
        [
            "1:9 expected true or false, not 'maybe'",
            "2:15 repeatWindow 'soon' is not a duration (a positive whole number and s, m, h or d)",
            "3:1 unknown key 'colour'",
            "7:13 unknown action 'explode' (deletePod, label, annotate, scaleToZero, deleteBinding, cordonNode)",
            "9:20 unknown severity 'urgent' (info, low, medium, high, critical)",
            "12:13 this action needs 'labels'",
            "14:42 target '/healthz' is a request URI, not an object",
            "15:3 a response rule needs a name",
            "19:37 label 'auditrail.io/by': the value 'mallory kim' must be empty or 1-63 characters, alphanumeric at both ends, with '-', '_' or '.' inside",
        ], config.Diagnostics.Select(d => $"{d.Line}:{d.Column} {d.Message}"));
        Assert.True(config.Options.DryRun);
        Assert.All(config.Diagnostics, d => Assert.EndsWith("responses.yaml", d.File, StringComparison.Ordinal));
    }
}
