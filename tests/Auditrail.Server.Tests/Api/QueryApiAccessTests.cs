using System.Text;

namespace Auditrail.Server.Tests.Api;

public sealed class QueryApiAccessTests(QueryApiFixture fixture) : IClassFixture<QueryApiFixture>
{
    public static readonly TheoryData<string> ReadPaths = new()
    {
        "/api/v1/who?resource=pods",
        "/api/v1/changes",
        "/api/v1/denied",
        "/api/v1/timeline?user=alice",
        "/api/v1/alerts",
        "/api/v1/events/x1",
    };

    private ApiServer Api => fixture.Api;

    [Theory]
    [MemberData(nameof(ReadPaths))]
    public async Task Without_a_token_every_endpoint_is_401_with_a_bearer_challenge(string path)
    {
        var response = await Api.GetAsync(path, token: null);

        Assert.Equal(401, response.Status);
        Assert.Equal("Bearer", response.WwwAuthenticate);
        Assert.DoesNotContain("requests", response.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ReadPaths))]
    public async Task An_unknown_token_is_401_invalid_token(string path)
    {
        var response = await Api.GetAsync(path, token: "not-a-configured-token");

        Assert.Equal(401, response.Status);
        Assert.Equal("Bearer error=\"invalid_token\"", response.WwwAuthenticate);
    }

    [Theory]
    [MemberData(nameof(ReadPaths))]
    public async Task The_ingest_token_is_403_and_the_admin_token_reads(string path)
    {
        Assert.Equal(403, (await Api.GetAsync(path, token: ApiServer.IngestToken)).Status);
        Assert.Equal(200, (await Api.GetAsync(path, token: ApiServer.AdminToken)).Status);
    }

    [Fact]
    public async Task Sql_needs_the_admin_scope()
    {
        var read = await Api.PostSqlAsync(new StringContent("SELECT 1"), token: ApiServer.ReadToken);
        Assert.Equal(403, read.Status);
        Assert.Contains("admin scope", read.Body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var anonymous = await Api.PostSqlAsync(new StringContent("SELECT 1"), token: null);
        Assert.Equal(401, anonymous.Status);
        Assert.Equal("Bearer", anonymous.WwwAuthenticate);
    }

    [Fact]
    public async Task The_token_is_checked_before_the_parameters()
    {
        // An anonymous caller learns nothing about the API's parameters.
        var response = await Api.GetAsync("/api/v1/who?bogus=1", token: null);
        Assert.Equal(401, response.Status);
        Assert.False(response.Body.TryGetProperty("parameter", out _));
    }
}
