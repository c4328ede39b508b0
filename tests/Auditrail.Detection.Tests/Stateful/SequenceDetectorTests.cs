using static Auditrail.Detection.Tests.Support.Scenario;

namespace Auditrail.Detection.Tests.Stateful;

/// <summary>Ordered steps per key within a span.</summary>
public class SequenceDetectorTests
{
    private const string BindThenDeploy = """
        rules:
          - name: bind-then-deploy
            severity: high
            sequence:
              within: 5m
              by: [identity.name]
              steps:
                - name: binding-changed
                  condition: objectRef.resource in ['rolebindings', 'clusterrolebindings'] && verb in ['create', 'update', 'patch']
                - name: workload-created
                  condition: objectRef.resource in ['pods', 'deployments', 'daemonsets'] && verb == 'create'
        """;

    [Fact]
    public void Steps_in_order_within_the_span_alert_once_with_both_requests()
    {
        var alert = Assert.Single(Run(NewEngine(BindThenDeploy), [
            Event(Minutes(0), verb: "create", resource: "clusterrolebindings", id: "bind"),
            Event(Minutes(1), verb: "get", resource: "pods"),
            Event(Minutes(3), verb: "create", resource: "deployments", id: "deploy"),
            Event(Minutes(4), verb: "create", resource: "pods"),
        ]));

        Assert.Equal(["bind", "deploy"], alert.AuditIds);
        Assert.Equal("binding-changed → workload-created within 5m", alert.Detail);
    }

    [Fact]
    public void Steps_out_of_order_do_not_alert() =>
        Assert.Empty(Run(NewEngine(BindThenDeploy), [
            Event(Minutes(0), verb: "create", resource: "pods"),
            Event(Minutes(1), verb: "create", resource: "rolebindings"),
        ]));

    [Fact]
    public void Steps_further_apart_than_the_span_do_not_alert() =>
        Assert.Empty(Run(NewEngine(BindThenDeploy), [
            Event(Minutes(0), verb: "create", resource: "rolebindings"),
            Event(Minutes(6), verb: "create", resource: "pods"),
        ]));

    [Fact]
    public void Steps_by_different_identities_do_not_chain() =>
        Assert.Empty(Run(NewEngine(BindThenDeploy), [
            Event(Minutes(0), verb: "create", resource: "rolebindings", user: "alice"),
            Event(Minutes(1), verb: "create", resource: "pods", user: "bob"),
        ]));

    [Fact]
    public void A_first_step_arriving_late_still_completes_the_chain() =>
        Assert.Single(Run(NewEngine(BindThenDeploy), [
            Event(Minutes(3), verb: "create", resource: "pods"),
            Event(Minutes(1), verb: "patch", resource: "rolebindings"),
        ]));

    [Fact]
    public void A_rule_condition_narrows_every_step()
    {
        var engine = NewEngine(BindThenDeploy.Replace("    sequence:", "    condition: objectRef.namespace == 'prod'\n    sequence:", StringComparison.Ordinal));

        Assert.Empty(Run(engine, [Event(Minutes(0), verb: "create", resource: "rolebindings", ns: "dev"), Event(Minutes(1), verb: "create", resource: "pods", ns: "dev")]));
        Assert.Single(Run(engine, [Event(Minutes(2), verb: "create", resource: "rolebindings", ns: "prod"), Event(Minutes(3), verb: "create", resource: "pods", ns: "prod")]));
    }
}
