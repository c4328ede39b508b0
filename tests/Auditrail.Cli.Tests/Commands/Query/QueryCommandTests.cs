using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Query;

public sealed class QueryCommandTests : IDisposable
{
    private readonly StoreWorkspace _workspace = new();

    public QueryCommandTests() => Assert.Equal(ExitCodes.Success, CliRunner.Run("import", _workspace.Log, "--store", _workspace.Store).ExitCode);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Who_prints_a_table_newest_first_and_json_with_the_same_rows()
    {
        var table = CliRunner.Run("query", "who", "--resource", "pods", "--name", "web", "--store", _workspace.Store);
        var json = CliRunner.Run("query", "who", "--resource", "pods", "--name", "web", "--store", _workspace.Store, "-o", "json");

        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.StartsWith("TIME", table.OutLines[0], StringComparison.Ordinal);
        Assert.Contains("mallory", table.OutLines[1], StringComparison.Ordinal);
        Assert.Contains("default/pods/web/exec", table.OutLines[1], StringComparison.Ordinal);
        var ids = JsonDocument.Parse(json.Out).RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("auditID").GetString());
        Assert.Equal(["a3", "a2", "a1"], ids);
    }

    [Fact]
    public void Denied_groups_refusals_by_identity_and_address()
    {
        var result = CliRunner.Run("query", "denied", "--store", _workspace.Store, "-o", "json");

        var group = Assert.Single(JsonDocument.Parse(result.Out).RootElement.GetProperty("denied").EnumerateArray());
        Assert.Equal(("mallory", "203.0.113.7", 2), (group.GetProperty("user").GetString(), group.GetProperty("sourceIP").GetString(), group.GetProperty("forbidden").GetInt32()));
    }

    [Fact]
    public void Changes_and_timeline_answer_with_the_window_applied()
    {
        var changes = CliRunner.Run("query", "changes", "--store", _workspace.Store, "--since", "2026-03-01T10:01:30Z", "-o", "yaml");
        var timeline = CliRunner.Run("query", "timeline", "--serviceaccount", "ci:deployer", "--store", _workspace.Store);

        Assert.Contains("user: mallory", changes.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("deployer", changes.Out, StringComparison.Ordinal);
        Assert.Contains("delete", Assert.Single(timeline.OutLines.Skip(1)), StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_answers_queries_and_refuses_anything_else_with_exit_2()
    {
        var ok = CliRunner.Run("query", "sql", "SELECT username, count(*) AS n FROM events GROUP BY username ORDER BY n DESC, username", "--store", _workspace.Store, "-o", "json");
        var refused = CliRunner.Run("query", "sql", "DELETE FROM events", "--store", _workspace.Store);

        var rows = JsonDocument.Parse(ok.Out).RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(("mallory", 2), (rows[0].GetProperty("username").GetString(), rows[0].GetProperty("n").GetInt32()));
        Assert.Equal(ExitCodes.UsageOrUnusableInput, refused.ExitCode);
        Assert.Contains("only read-only queries", refused.Error, StringComparison.Ordinal);
        Assert.Contains("\"a4\"", CliRunner.Run("query", "event", "a4", "--store", _workspace.Store).Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_store_and_a_bad_option_are_usage_errors()
    {
        var missing = CliRunner.Run("query", "who", "--resource", "pods", "--store", _workspace.Store + ".nope");
        var badSeverity = CliRunner.Run("query", "alerts", "--severity", "urgent", "--store", _workspace.Store);
        var badTimeline = CliRunner.Run("query", "timeline", "--serviceaccount", "deployer", "--store", _workspace.Store);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, missing.ExitCode);
        Assert.Contains("no such store", missing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageOrUnusableInput, badSeverity.ExitCode);
        Assert.Equal(ExitCodes.UsageOrUnusableInput, badTimeline.ExitCode);
        Assert.Contains("NAMESPACE:NAME", badTimeline.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_with_a_store_keeps_the_alerts_for_query_alerts()
    {
        var rules = _workspace.Write("rules.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: RulePack
            metadata: {name: t}
            rules:
              - name: exec-into-pod
                severity: high
                condition: objectRef.subresource == 'exec'
              - name: forbidden
                severity: low
                condition: responseStatus.code == 403
            """);
        var store = _workspace.Store + ".scan";

        var scan = CliRunner.Run("scan", _workspace.Log, "--rules", rules, "--store", store, "-o", "json");
        var high = CliRunner.Run("query", "alerts", "--severity", "high", "--store", store, "-o", "json");
        var events = CliRunner.Run("query", "sql", "SELECT count(*) AS n FROM events", "--store", store, "-o", "json");

        Assert.Equal(ExitCodes.Success, scan.ExitCode);
        Assert.Contains("stored 4 events", scan.Error, StringComparison.Ordinal);
        var alert = Assert.Single(JsonDocument.Parse(high.Out).RootElement.GetProperty("alerts").EnumerateArray());
        Assert.Equal(("exec-into-pod", "a3"), (alert.GetProperty("rule").GetString(), alert.GetProperty("auditIDs")[0].GetString()));
        Assert.Equal(4, JsonDocument.Parse(events.Out).RootElement.GetProperty("rows")[0].GetProperty("n").GetInt32());
    }
}
