using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Rules;

public sealed class BacktestCommandTests : IDisposable
{
    private readonly StoreWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Backtest_reports_what_the_rules_would_have_raised_over_the_store()
    {
        CliRunner.Run("import", _workspace.Log, "--store", _workspace.Store);
        var rules = _workspace.Write("draft.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: RulePack
            metadata: {name: draft}
            rules:
              - name: forbidden
                severity: low
                condition: responseStatus.code == 403
              - name: service-account-deletes
                severity: medium
                condition: verb == 'delete' && identity.kind == 'serviceaccount'
            """);

        var json = CliRunner.Run("rules", "backtest", "--rules", rules, "--store", _workspace.Store, "-o", "json");
        var table = CliRunner.Run("rules", "backtest", "--rules", rules, "--store", _workspace.Store, "--since", "2026-03-01T10:02:30Z");

        Assert.Equal(ExitCodes.Success, json.ExitCode);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal(4, root.GetProperty("eventsReplayed").GetInt32());
        var counts = root.GetProperty("byRule").EnumerateArray().Select(r => (r.GetProperty("rule").GetString(), r.GetProperty("alerts").GetInt32()));
        Assert.Equal([("service-account-deletes", 1), ("forbidden", 2)], counts);
        Assert.Contains("replayed 1 stored events", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_pack_with_errors_stops_the_backtest()
    {
        CliRunner.Run("import", _workspace.Log, "--store", _workspace.Store);
        var rules = _workspace.Write("bad.yaml", """
            apiVersion: auditrail.io/v1alpha1
            kind: RulePack
            metadata: {name: bad}
            rules:
              - name: broken
                severity: low
                condition: verb ==
            """);

        var result = CliRunner.Run("rules", "backtest", "--rules", rules, "--store", _workspace.Store);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("bad.yaml", result.Error, StringComparison.Ordinal);
    }
}
