using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Loading;

namespace Auditrail.Cli.Tests.Commands.Rbac;

/// <summary><c>rbac least-privilege</c> end to end on the audit2rbac demo log.</summary>
public sealed class RbacLeastPrivilegeCommandTests
{
    private static readonly string Demo = CliRunner.Data("audit2rbac", "demo.log");
    private static readonly string Bootstrap = CliRunner.Data("kubernetes-rbac");

    [Fact]
    public void Yaml_output_is_a_manifest_the_loader_reads_back_and_it_allows_bobs_requests_only_where_he_made_them()
    {
        var result = CliRunner.Run("rbac", "least-privilege", "--user", "bob", Demo);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("verified: the generated RBAC allows all 27 distinct request(s) of User bob", result.Error);
        Assert.Contains("23 distinct request(s) already allowed by the bootstrap discovery roles", result.Error);
        Assert.StartsWith("---", result.Out, StringComparison.Ordinal);
        var loaded = RbacLoader.LoadText(result.Out, "out.yaml");
        Assert.False(loaded.HasErrors);
        Assert.Equal(["ClusterRole/auditrail:bob", "Role/default/auditrail:bob", "Role/ns1/auditrail:bob"], loaded.Snapshot.AllRoles.Select(r => r.DisplayName));
        var authorizer = new RbacAuthorizer(loaded.Snapshot);
        Assert.True(authorizer.Authorize(RequestAttributes.ForResource("list", "", "pods", @namespace: "ns1").As("bob")).Allowed);
        Assert.True(authorizer.Authorize(RequestAttributes.ForResource("watch", "", "nodes").As("bob")).Allowed);
        Assert.False(authorizer.Authorize(RequestAttributes.ForResource("list", "", "pods", @namespace: "kube-system").As("bob")).Allowed);
        Assert.False(authorizer.Authorize(RequestAttributes.ForResource("delete", "", "pods", name: "p", @namespace: "ns1").As("bob")).Allowed);
        Assert.False(authorizer.Authorize(RequestAttributes.ForResource("list", "", "pods", @namespace: "ns1").As("alice")).Allowed);
    }

    [Fact]
    public void Json_output_is_a_list_and_the_impersonated_service_account_is_bound_as_one()
    {
        var result = CliRunner.Run("rbac", "least-privilege", "--serviceaccount", "ns1:sa1", Demo, "-o", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("List", json.RootElement.GetProperty("kind").GetString());
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["ClusterRole", "ClusterRoleBinding"], items.Select(i => i.GetProperty("kind").GetString()));
        var subject = Assert.Single(items[1].GetProperty("subjects").EnumerateArray().ToList());
        Assert.Equal(("ServiceAccount", "sa1", "ns1"), (subject.GetProperty("kind").GetString(), subject.GetProperty("name").GetString(), subject.GetProperty("namespace").GetString()));
        Assert.Equal("auditrail:ns1:sa1", items[0].GetProperty("metadata").GetProperty("name").GetString());
    }

    [Fact]
    public void The_impersonator_needs_impersonate_on_the_identities_it_acted_as()
    {
        var result = CliRunner.Run("rbac", "least-privilege", "--user", "system:admin", Demo, "-o", "table");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("verbs=[impersonate] apiGroups=[\"\"] resources=[users] resourceNames=[alice bob]", result.Out);
        Assert.Contains("verbs=[impersonate] apiGroups=[\"\"] resources=[serviceaccounts] resourceNames=[sa1]", result.Out);
        Assert.Contains("37 impersonation check(s)", result.Error);
    }

    [Fact]
    public void Only_denied_covers_the_refused_requests_and_annotations_label_the_objects()
    {
        var result = CliRunner.Run("rbac", "least-privilege", "--user", "bob", Demo, "--only-denied", "--annotations", "--generate-name", "bob-needs");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("4 request(s) by User bob (3 distinct): 0 allowed, 4 denied", result.Error);
        Assert.Contains("name: bob-needs", result.Out);
        Assert.Contains("auditrail.io/generated: \"true\"", result.Out);
        Assert.Contains("auditrail.io/identity: User-bob", result.Out);
        Assert.Contains("auditrail.io/observed: 4 request(s), 3 distinct from 2017-09-11T19:55:05Z to 2017-09-11T20:27:52Z", result.Out);
    }

    [Fact]
    public void Requests_the_existing_rbac_allows_generate_nothing()
    {
        var result = CliRunner.Run("rbac", "least-privilege", "--user", "system:admin", Demo, "--rbac", Bootstrap, "-o", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("nothing to generate: every request of User system:admin is already allowed", result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(0, json.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public void Since_a_duration_keeps_the_requests_of_the_last_minutes_before_the_latest_request()
    {
        var result = CliRunner.Run("rbac", "least-privilege", "--user", "bob", Demo, "--since", "10m", "-o", "table");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("25 request(s) by User bob (25 distinct)", result.Error);
        Assert.DoesNotContain("Role         ns1", result.Out);
    }

    [Fact]
    public void A_broken_line_is_reported_with_its_place_and_the_rest_is_still_covered()
    {
        var log = Path.Combine(Directory.CreateTempSubdirectory("auditrail-lp-").FullName, "audit.log");
        var lines = File.ReadAllLines(Demo).ToList();
        lines.Insert(2, "{\"kind\":\"Event\",\"apiVersion\":");
        File.WriteAllLines(log, lines);

        var result = CliRunner.Run("rbac", "least-privilege", "--user", "bob", log);

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.Contains($"{log}:3", result.Error);
        Assert.Contains("verified: the generated RBAC allows all 27 distinct request(s) of User bob", result.Error);
        Directory.Delete(Path.GetDirectoryName(log)!, recursive: true);
    }

    [Fact]
    public void A_group_identity_covers_the_requests_of_its_members_and_binds_the_group()
    {
        var result = CliRunner.Run("rbac", "least-privilege", "--group", "system:authenticated", Demo, "-o", "json", "--widen-names");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("verified: the generated RBAC allows all 37 distinct request(s) of Group system:authenticated", result.Error);
        var loaded = RbacLoader.LoadText(result.Out, "out.json");
        Assert.All(loaded.Snapshot.AllBindings, b => Assert.Equal("Group system:authenticated", Assert.Single(b.Subjects).ToString()));
        var authorizer = new RbacAuthorizer(loaded.Snapshot);
        Assert.True(authorizer.Authorize(RequestAttributes.ForResource("list", "", "secrets", @namespace: "ns1").As("carol", "system:authenticated")).Allowed);
        Assert.False(authorizer.Authorize(RequestAttributes.ForResource("list", "", "secrets", @namespace: "ns1").As("carol", "system:unauthenticated")).Allowed);
    }

    [Theory]
    [InlineData(new[] { "--user", "bob", "--serviceaccount", "ns1:sa1" }, "give only one of --user, --serviceaccount and --group")]
    [InlineData(new string[0], "say whose requests to cover")]
    [InlineData(new[] { "--serviceaccount", "sa1" }, "--serviceaccount 'sa1' must be NAMESPACE:NAME")]
    [InlineData(new[] { "--user", "nobody" }, "no request by User nobody in 37 events")]
    [InlineData(new[] { "--user", "alice", "--only-allowed" }, "no allowed request by User alice")]
    [InlineData(new[] { "--user", "bob", "--only-allowed", "--only-denied" }, "--only-denied and --only-allowed cannot be used together")]
    public void Usage_errors_exit_2_and_say_why(string[] args, string message)
    {
        var result = CliRunner.Run(["rbac", "least-privilege", Demo, .. args]);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains(message, result.Error);
    }
}
