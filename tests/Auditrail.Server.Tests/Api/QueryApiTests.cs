using System.Net.Mime;
using System.Text;
using System.Text.Json;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Server.Tests.Api;

public sealed class QueryApiTests(QueryApiFixture fixture) : IClassFixture<QueryApiFixture>
{
    private ApiServer Api => fixture.Api;

    [Fact]
    public async Task Who_answers_the_requests_newest_first_in_the_CLI_json_shape()
    {
        var response = await Api.GetAsync("/api/v1/who?resource=pods&name=web&namespace=default");

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.MediaType);
        Assert.Equal(["o1", "x1", "d1", "u1", "g1"], response.AuditIds());
        var exec = response.Body.GetProperty("requests")[1];
        Assert.Equal("mallory", exec.GetProperty("user").GetString());
        Assert.Equal("203.0.113.7", exec.GetProperty("sourceIP").GetString());
        Assert.Equal(403, exec.GetProperty("code").GetInt32());
        Assert.Equal("exec", exec.GetProperty("subresource").GetString());
        Assert.Equal(Format(Start.AddMinutes(4).AddMilliseconds(20)), exec.GetProperty("time").GetString());

        var deletes = await Api.GetAsync("/api/v1/who?resource=pods&name=web&verb=delete");
        Assert.Equal(["d1"], deletes.AuditIds());
    }

    [Fact]
    public async Task The_window_parameters_narrow_by_absolute_or_relative_time_cluster_and_limit()
    {
        var absolute = await Api.GetAsync($"/api/v1/who?resource=pods&since={Format(Start.AddMinutes(1))}&until={Format(Start.AddMinutes(3))}");
        Assert.Equal(["d1", "u1"], absolute.AuditIds());

        // The server's clock is 10 minutes after the first event: since=5m keeps the last three minutes' requests.
        var relative = await Api.GetAsync("/api/v1/who?resource=pods&since=5m");
        Assert.Equal(["o1", "n1"], relative.AuditIds());
        Assert.Equal(["o1"], (await Api.GetAsync("/api/v1/who?resource=pods&cluster=prod-eu")).AuditIds());
        Assert.Equal(2, (await Api.GetAsync("/api/v1/who?resource=pods&limit=2")).AuditIds().Count());
        Assert.Equal(4, (await Api.GetAsync("/api/v1/timeline?user=alice&since=1d")).AuditIds().Count());
    }

    [Fact]
    public async Task Changes_and_denied_group_by_identity()
    {
        var changes = await Api.GetAsync("/api/v1/changes");
        var identities = changes.Body.GetProperty("identities");
        Assert.Equal(["alice", "mallory", "system:serviceaccount:ci:deployer"], identities.EnumerateArray().Select(i => i.GetProperty("user").GetString()));
        Assert.Equal(2, identities[0].GetProperty("total").GetInt64());
        Assert.Equal(["c1", "u1"], identities[0].GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("auditID").GetString()));

        var denied = (await Api.GetAsync("/api/v1/denied")).Body.GetProperty("denied");
        Assert.Equal(2, denied.GetArrayLength());
        Assert.Equal(("mallory", "203.0.113.7", 2, 2), (denied[0].GetProperty("user").GetString(), denied[0].GetProperty("sourceIP").GetString(),
            denied[0].GetProperty("count").GetInt32(), denied[0].GetProperty("forbidden").GetInt32()));
    }

    [Fact]
    public async Task Timeline_follows_a_user_a_service_account_or_an_address()
    {
        Assert.Equal(["o1", "c1", "u1", "g1"], (await Api.GetAsync("/api/v1/timeline?user=alice")).AuditIds());
        Assert.Equal(["d1"], (await Api.GetAsync("/api/v1/timeline?serviceaccount=ci:deployer")).AuditIds());
        Assert.Equal(["x2", "x1"], (await Api.GetAsync("/api/v1/timeline?ip=203.0.113.7")).AuditIds());
    }

    [Fact]
    public async Task Alerts_are_newest_first_and_filter_by_rule_and_minimum_severity()
    {
        var all = (await Api.GetAsync("/api/v1/alerts")).Body.GetProperty("alerts");
        Assert.Equal(["secret-read", "pod-exec"], all.EnumerateArray().Select(a => a.GetProperty("rule").GetString()));

        var high = (await Api.GetAsync("/api/v1/alerts?severity=medium")).Body.GetProperty("alerts");
        Assert.Equal("pod-exec", Assert.Single(high.EnumerateArray()).GetProperty("rule").GetString());
        Assert.Equal(["x1"], high[0].GetProperty("auditIDs").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(["T1609"], high[0].GetProperty("tags").EnumerateArray().Select(i => i.GetString()));
        Assert.Single((await Api.GetAsync("/api/v1/alerts?rule=secret-read")).Body.GetProperty("alerts").EnumerateArray());
    }

    [Fact]
    public async Task An_event_is_answered_as_its_stored_json_and_an_unknown_one_is_404()
    {
        var found = await Api.GetAsync("/api/v1/events/x1");
        Assert.Equal(200, found.Status);
        Assert.Equal("x1", found.Body.GetProperty("auditID").GetString());
        Assert.Equal("mallory", found.Body.GetProperty("user").GetProperty("username").GetString());

        var missing = await Api.GetAsync("/api/v1/events/nope");
        Assert.Equal(404, missing.Status);
        Assert.Equal("no event with auditID nope", missing.Body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Sql_takes_the_query_as_text_or_as_json_with_the_admin_token()
    {
        var text = await Api.PostSqlAsync(new StringContent("SELECT verb, count(*) AS n FROM events GROUP BY verb ORDER BY n DESC, verb", Encoding.UTF8, MediaTypeNames.Text.Plain));
        Assert.Equal(200, text.Status);
        Assert.Equal(["verb", "n"], text.Body.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(("get", 3), (text.Body.GetProperty("rows")[0].GetProperty("verb").GetString(), text.Body.GetProperty("rows")[0].GetProperty("n").GetInt32()));
        Assert.False(text.Body.GetProperty("truncated").GetBoolean());

        var json = await Api.PostSqlAsync(JsonContent("""{"sql": "SELECT audit_id FROM events ORDER BY time"}"""), query: "?limit=3");
        Assert.Equal(3, json.Body.GetProperty("rows").GetArrayLength());
        Assert.True(json.Body.GetProperty("truncated").GetBoolean());
    }

    [Theory]
    [InlineData("DELETE FROM events", "read-only")]
    [InlineData("SELECT * FROM no_such_table", "the query failed")]
    [InlineData("SELECT 1; DROP TABLE events", "")]
    public async Task Sql_that_is_not_a_valid_read_only_query_is_400_naming_sql(string sql, string reason)
    {
        var response = await Api.PostSqlAsync(new StringContent(sql));

        Assert.Equal(400, response.Status);
        Assert.Equal("sql", response.Body.GetProperty("parameter").GetString());
        Assert.Contains(reason, response.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(8L, Api.Store.Store.GetInfo().Events);
    }

    [Theory]
    [InlineData("/api/v1/who", "resource", "is required")]
    [InlineData("/api/v1/who?resource=", "resource", "is empty")]
    [InlineData("/api/v1/who?resource=pods&namespce=prod", "namespce", "unknown parameter")]
    [InlineData("/api/v1/who?resource=pods&resource=secrets", "resource", "more than once")]
    [InlineData("/api/v1/who?resource=pods&since=yesterday", "since", "RFC 3339")]
    [InlineData("/api/v1/who?resource=pods&since=12", "since", "RFC 3339")]
    [InlineData("/api/v1/changes?since=2026-03-01T10:05:00Z&until=2026-03-01T10:00:00Z", "until", "must be after since")]
    [InlineData("/api/v1/denied?limit=0", "limit", "1 to 10,000")]
    [InlineData("/api/v1/denied?limit=ten", "limit", "whole number")]
    [InlineData("/api/v1/timeline", "user", "exactly one")]
    [InlineData("/api/v1/timeline?user=alice&ip=10.0.0.5", "serviceaccount", "exactly one")]
    [InlineData("/api/v1/timeline?serviceaccount=deployer", "serviceaccount", "NAMESPACE:NAME")]
    [InlineData("/api/v1/alerts?severity=urgent", "severity", "unknown severity")]
    [InlineData("/api/v1/events/x1?verbose=1", "verbose", "no query parameters")]
    public async Task A_bad_parameter_is_400_with_its_name_and_why(string path, string parameter, string reason)
    {
        var response = await Api.GetAsync(path);

        Assert.Equal(400, response.Status);
        Assert.Equal("BadParameter", response.Body.GetProperty("error").GetString());
        Assert.Equal(parameter, response.Body.GetProperty("parameter").GetString());
        Assert.Contains(reason, response.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sql_bodies_that_hold_no_query_are_400()
    {
        Assert.Equal(400, (await Api.PostSqlAsync(JsonContent("""{"query": "SELECT 1"}"""))).Status);
        Assert.Equal(400, (await Api.PostSqlAsync(JsonContent("[1, 2"))).Status);
        Assert.Equal(400, (await Api.PostSqlAsync(new StringContent("  "))).Status);
        var tooLarge = await Api.PostSqlAsync(new StringContent("SELECT 1 -- " + new string('x', 70_000)));
        Assert.Equal(413, tooLarge.Status);
    }

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, MediaTypeNames.Application.Json);
}
