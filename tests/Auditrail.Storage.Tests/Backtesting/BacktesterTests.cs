using Auditrail.Detection.Rules;
using Auditrail.Detection.Stateful;
using Auditrail.Storage.Backtesting;
using Auditrail.Storage.Queries;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Storage.Tests.Backtesting;

public sealed class BacktesterTests
{
    private const string Rules = """
        apiVersion: auditrail.io/v1alpha1
        kind: RulePack
        metadata:
          name: backtest
        rules:
          - name: pod-exec
            description: exec into a pod
            severity: high
            condition: objectRef.resource == 'pods' && objectRef.subresource == 'exec' && verb == 'create'
            output: "%{user.username} exec into %{target}"
          - name: brute-force
            description: failed authentications from one address
            severity: medium
            stages: [ResponseStarted, ResponseComplete]
            condition: responseStatus.code == 401
            threshold: {count: 3, window: 1m, by: [sourceIP]}
            output: "failed authentications from %{sourceIP}"
        """;

    [Fact]
    public void Stored_history_is_replayed_in_event_time_and_the_rules_fire_as_they_would_have()
    {
        using var store = new TempStore();
        // Written out of order across batches: three 401s within a minute only line up in event time.
        store.Import([
            Event("f3", Start.AddSeconds(40), verb: "list", user: "", code: 401, sourceIp: "198.51.100.2", decision: null),
            Event("e1", Start.AddMinutes(5), verb: "create", user: "mallory", subresource: "exec"),
            Event("f1", Start, verb: "list", user: "", code: 401, sourceIp: "198.51.100.2", decision: null),
            Event("g1", Start.AddMinutes(6), verb: "get"),
            Event("f2", Start.AddSeconds(20), verb: "list", user: "", code: 401, sourceIp: "198.51.100.2", decision: null),
            Event("f4", Start.AddMinutes(10), verb: "list", user: "", code: 401, sourceIp: "198.51.100.9", decision: null),
        ], batchSize: 2);
        var ruleSet = Compile(Rules);

        var report = Backtester.Run(store.Store, ruleSet, new DetectionOptions(), new QueryWindow());

        Assert.Equal(6, report.EventsReplayed);
        Assert.Equal(0, report.BadRecords);
        Assert.Equal([("pod-exec", Severity.High, 1L), ("brute-force", Severity.Medium, 1L)], report.ByRule.Select(r => (r.Rule, r.Severity, r.Alerts)));
        var exec = report.Alerts.Single(a => a.Rule == "pod-exec");
        Assert.Equal(("mallory", "e1"), (exec.Identity, exec.AuditIds[0]));
        var brute = report.Alerts.Single(a => a.Rule == "brute-force");
        Assert.Equal(3, brute.Count);
        Assert.Equal(["f1", "f2", "f3"], brute.AuditIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_window_limits_what_is_replayed()
    {
        using var store = new TempStore();
        store.Import([
            Event("e1", Start, verb: "create", subresource: "exec"),
            Event("e2", Start.AddHours(2), verb: "create", subresource: "exec"),
        ]);

        var report = Backtester.Run(store.Store, Compile(Rules), new DetectionOptions(), new QueryWindow { Since = Start.AddHours(1) });

        Assert.Equal(1, report.EventsReplayed);
        Assert.Equal("e2", Assert.Single(report.Alerts).AuditIds[0]);
    }

    private static RuleSet Compile(string yaml)
    {
        var loader = new RulePackLoader();
        loader.LoadText(yaml, "backtest.yaml");
        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        var rules = RuleSet.Compile(loader.Build(), diagnostics);
        Assert.DoesNotContain(diagnostics, d => !d.IsWarning);
        return rules;
    }
}
