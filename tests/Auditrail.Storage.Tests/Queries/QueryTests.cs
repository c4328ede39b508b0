using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Queries;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Storage.Tests.Queries;

public sealed class QueryTests : IDisposable
{
    private readonly TempStore _store = new();

    public QueryTests()
    {
        _store.Import(QueryScenario());
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public void Who_filters_by_resource_name_namespace_and_verb_newest_first()
    {
        // Without a subresource, requests to the object's subresources (exec here) count as touching it.
        var all = _store.Store.Who(new WhoQuery("pods") { Name = "web" }, new QueryWindow());
        Assert.Equal(["o1", "x1", "d1", "u1", "g1"], all.Select(r => r.AuditId));

        var deletes = _store.Store.Who(new WhoQuery("pods") { Name = "web", Namespace = "default", Verb = "delete" }, new QueryWindow());
        Assert.Equal("system:serviceaccount:ci:deployer", Assert.Single(deletes).User);
        Assert.Equal("serviceaccount", deletes[0].UserKind);

        Assert.Equal("x1", Assert.Single(_store.Store.Who(new WhoQuery("pods/exec"), new QueryWindow())).AuditId);
        Assert.Equal("c1", Assert.Single(_store.Store.Who(new WhoQuery("deployments.apps"), new QueryWindow())).AuditId);
        Assert.Empty(_store.Store.Who(new WhoQuery("deployments.batch"), new QueryWindow()));
    }

    [Fact]
    public void The_window_cluster_and_limit_narrow_every_query()
    {
        var window = new QueryWindow { Since = Start.AddMinutes(1), Until = Start.AddMinutes(3) };
        Assert.Equal(["d1", "u1"], _store.Store.Who(new WhoQuery("pods"), window).Select(r => r.AuditId));
        Assert.Equal("o1", Assert.Single(_store.Store.Who(new WhoQuery("pods"), new QueryWindow { Cluster = "prod-eu" })).AuditId);
        Assert.Equal(2, _store.Store.Who(new WhoQuery("pods"), new QueryWindow { Limit = 2 }).Count);
    }

    [Fact]
    public void Changes_groups_mutating_requests_by_identity_busiest_first()
    {
        var changes = _store.Store.Changes(new QueryWindow());

        Assert.Equal(["alice", "mallory", "system:serviceaccount:ci:deployer"], changes.Select(c => c.User));
        var alice = changes[0];
        Assert.Equal(2, alice.Total);
        Assert.Equal(["c1", "u1"], alice.Requests.Select(r => r.AuditId));
        Assert.Equal(Start.AddMinutes(1).AddMilliseconds(20), alice.First);
    }

    [Fact]
    public void Denied_groups_unauthorized_and_forbidden_requests_by_identity_and_address()
    {
        var denied = _store.Store.Denied(new QueryWindow());

        Assert.Equal(2, denied.Count);
        var mallory = denied[0];
        Assert.Equal(("mallory", "203.0.113.7", 2L, 0L, 2L), (mallory.User, mallory.SourceIp, mallory.Count, mallory.Unauthorized, mallory.Forbidden));
        Assert.Contains("create pods/exec", mallory.Targets);
        Assert.Contains("get secrets", mallory.Targets);
        Assert.Equal((1L, 0L), (denied[1].Unauthorized, denied[1].Forbidden));
    }

    [Fact]
    public void Timeline_follows_a_user_a_service_account_or_an_address()
    {
        Assert.Equal(["o1", "c1", "u1", "g1"], _store.Store.Timeline(new TimelineQuery { User = "alice" }, new QueryWindow()).Select(r => r.AuditId));
        Assert.Equal("d1", Assert.Single(_store.Store.Timeline(new TimelineQuery { ServiceAccount = "ci:deployer" }, new QueryWindow())).AuditId);
        Assert.Equal(["x2", "x1"], _store.Store.Timeline(new TimelineQuery { SourceIp = "203.0.113.7" }, new QueryWindow()).Select(r => r.AuditId));
        Assert.Throws<StoreException>(() => _store.Store.Timeline(new TimelineQuery { ServiceAccount = "deployer" }, new QueryWindow()));
        Assert.Throws<StoreException>(() => _store.Store.Timeline(new TimelineQuery { User = "a", SourceIp = "b" }, new QueryWindow()));
    }

    [Fact]
    public void A_user_timeline_includes_requests_made_as_that_user_through_impersonation()
    {
        _store.Import([Event("i1", Start.AddMinutes(8), user: "system:admin", impersonating: "alice", resource: "configmaps", name: "settings")]);

        var timeline = _store.Store.Timeline(new TimelineQuery { User = "alice" }, new QueryWindow());

        Assert.Equal(["i1", "o1", "c1", "u1", "g1"], timeline.Select(r => r.AuditId));
        Assert.Equal(("system:admin", "alice"), (timeline[0].User, timeline[0].ImpersonatedUser));
        Assert.Equal("i1", Assert.Single(_store.Store.Timeline(new TimelineQuery { User = "system:admin" }, new QueryWindow())).AuditId);
    }

    [Fact]
    public void Alerts_are_linked_by_audit_id_filtered_by_rule_and_minimum_severity_and_stored_once()
    {
        using (var writer = _store.Store.OpenWriter())
        {
            var exec = new Alert { Rule = "pod-exec", Severity = Severity.High, Time = Start.AddMinutes(4), Identity = "mallory", Message = "exec into web", AuditIds = ["x1"], Tags = ["T1609"] };
            writer.AppendAlert(exec);
            writer.AppendAlert(exec);
            writer.AppendAlert(new Alert { Rule = "secret-read", Severity = Severity.Low, Time = Start.AddMinutes(5), Identity = "mallory", Message = "read a secret", AuditIds = ["x2"] });
            Assert.Equal(2, writer.Counters.Alerts);
        }

        var high = _store.Store.Alerts(new AlertQuery { MinimumSeverity = Severity.Medium }, new QueryWindow());
        Assert.Equal(("pod-exec", "high", "x1"), (Assert.Single(high).Rule, high[0].Severity, high[0].AuditIds[0]));
        Assert.Equal(["T1609"], high[0].Tags);
        Assert.Equal("secret-read", Assert.Single(_store.Store.Alerts(new AlertQuery { Rule = "secret-read" }, new QueryWindow())).Rule);
        Assert.Equal(2, _store.Store.Alerts(new AlertQuery(), new QueryWindow()).Count);
        var linked = _store.Store.Sql("SELECT e.username FROM alerts a JOIN events e USING (audit_id) WHERE a.rule = 'pod-exec'");
        Assert.Equal("mallory", Assert.Single(linked.Rows)[0]);
    }

    [Fact]
    public void Values_that_look_like_SQL_are_bound_not_spliced()
    {
        Assert.Empty(_store.Store.Who(new WhoQuery("pods") { Name = "web' OR '1'='1" }, new QueryWindow()));
        Assert.Empty(_store.Store.Timeline(new TimelineQuery { User = "x'; DROP TABLE events; --" }, new QueryWindow()));
        Assert.Equal(8, _store.Store.GetInfo().Events);
    }
}
