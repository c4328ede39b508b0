using Auditrail.Rbac.AuditLog;

namespace Auditrail.Rbac.Tests.AuditLog;

/// <summary>One request per auditID, its outcome from the most complete stage, windows in event time.</summary>
public sealed class LoggedRequestCollectorTests
{
    private static readonly object Pods = new { resource = "pods", @namespace = "ns1", apiVersion = "v1" };

    [Fact]
    public void Stages_of_one_request_count_once_with_the_outcome_of_the_last_stage()
    {
        var collector = TestEvents.Collect(
        [
            TestEvents.Line("bob", "list", "/api/v1/namespaces/ns1/pods", Pods, stage: "RequestReceived", auditId: "a"),
            TestEvents.Line("bob", "list", "/api/v1/namespaces/ns1/pods", Pods, code: 403, auditId: "a"),
            TestEvents.Line("bob", "list", "/api/v1/namespaces/ns1/pods", Pods, code: 200, auditId: "b"),
        ]);

        var requests = collector.Requests();

        Assert.Equal(3, collector.Events);
        Assert.Equal([(RequestOutcome.Allowed, 1), (RequestOutcome.Denied, 1)], requests.Select(r => (r.Outcome, r.Count)));
    }

    [Fact]
    public void Decision_annotation_decides_over_the_response_code()
    {
        // Admission refused it with a 403, after the authorizer had allowed it.
        var collector = TestEvents.Collect([TestEvents.Line("bob", "create", "/api/v1/namespaces/ns1/pods", Pods, code: 403, decision: "allow")]);

        Assert.Equal(RequestOutcome.Allowed, Assert.Single(collector.Requests()).Outcome);
    }

    [Fact]
    public void Only_a_request_received_stage_leaves_the_outcome_unknown()
    {
        var collector = TestEvents.Collect([TestEvents.Line("bob", "watch", "/api/v1/namespaces/ns1/pods?watch=1", Pods, stage: "RequestReceived")]);

        Assert.Equal(RequestOutcome.Unknown, Assert.Single(collector.Requests()).Outcome);
    }

    [Fact]
    public void Window_keeps_requests_in_since_until_and_latest_is_the_last_request_time()
    {
        var collector = TestEvents.Collect(
        [
            TestEvents.Line("bob", "get", "/api/v1/namespaces/ns1/pods/a", new { resource = "pods", @namespace = "ns1", name = "a" }, time: "2024-05-01T00:00:00Z"),
            TestEvents.Line("bob", "get", "/api/v1/namespaces/ns1/pods/b", new { resource = "pods", @namespace = "ns1", name = "b" }, time: "2024-05-10T00:00:00Z"),
            TestEvents.Line("bob", "get", "/api/v1/namespaces/ns1/pods/c", new { resource = "pods", @namespace = "ns1", name = "c" }, time: "2024-05-20T00:00:00Z"),
        ]);

        var inWindow = collector.Requests(DateTimeOffset.Parse("2024-05-10T00:00:00Z"), DateTimeOffset.Parse("2024-05-20T00:00:00Z"));

        Assert.Equal("b", Assert.Single(inWindow).Attributes.Name);
        Assert.Equal(DateTimeOffset.Parse("2024-05-20T00:00:00Z"), collector.Latest);
    }

    [Fact]
    public void Keep_filter_drops_other_identities_in_every_stage()
    {
        var collector = TestEvents.Collect(
        [
            TestEvents.Line("alice", "list", "/api/v1/namespaces/ns1/pods", Pods, stage: "RequestReceived", auditId: "x"),
            TestEvents.Line("alice", "list", "/api/v1/namespaces/ns1/pods", Pods, auditId: "x"),
            TestEvents.Line("bob", "list", "/api/v1/namespaces/ns1/pods", Pods),
        ], keep: r => r.User == "bob");

        Assert.Equal("bob", Assert.Single(collector.Requests()).Attributes.User);
    }
}
