using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Tests.Support;

namespace Auditrail.Cli.Tests.Commands.Rbac;

/// <summary><c>rbac unused</c> on the bootstrap policy with the 2017 demo log and with crafted logs.</summary>
public sealed class RbacUnusedCommandTests : IDisposable
{
    private static readonly string Bootstrap = CliRunner.Data("kubernetes-rbac");
    private static readonly string Log2017 = CliRunner.Data("audit-logs", "audit2rbac-demo-2017-v1beta1.jsonl");

    private readonly ScratchDirectory _scratch = new("auditrail-unused-");

    private string Dir => _scratch.Path;

    public void Dispose() => _scratch.Dispose();

    private string Write(string name, string text) => _scratch.Write(name, text);

    private static string Event(string id, string user, string verb, string resource, string name, string time) =>
        $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{id}}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/team/{{resource}}/{{name}}","verb":"{{verb}}","user":{"username":"{{user}}","groups":["system:authenticated"]},"objectRef":{"resource":"{{resource}}","namespace":"team","name":"{{name}}","apiVersion":"v1"},"responseStatus":{"code":200},"requestReceivedTimestamp":"{{time}}","stageTimestamp":"{{time}}"}""";

    private string TeamRbac() => Write("rbac.yaml", """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: dev, namespace: team}
        rules:
        - apiGroups: [""]
          resources: [pods, configmaps]
          verbs: [get, delete]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: dev, namespace: team}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev}
        subjects:
        - {kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}
        - {kind: ServiceAccount, name: ci}
        """);

    [Fact]
    public void Bootstrap_policy_with_the_2017_log_lists_every_subject_and_the_candidates()
    {
        var result = CliRunner.Run("rbac", "unused", "--rbac", Bootstrap, Log2017);

        Assert.Equal(ExitCodes.BadRecords, result.ExitCode);
        Assert.StartsWith("SUBJECT", result.OutLines[0], StringComparison.Ordinal);
        Assert.Contains(result.OutLines, l => l.StartsWith("Group system:masters", StringComparison.Ordinal) && l.Contains("ClusterRoleBinding/cluster-admin", StringComparison.Ordinal) && l.Contains("100 % (1/1)", StringComparison.Ordinal));
        Assert.Contains("unused-rule  ClusterRole/cluster-admin rules[1]", result.Out);
        Assert.Contains("unused-binding  ClusterRoleBinding/system:kube-scheduler [User system:kube-scheduler]", result.Out);
        Assert.Contains("463 request(s) not denied", result.Error);
    }

    [Fact]
    public void Since_a_duration_counts_back_from_the_latest_request()
    {
        var log = Write("audit.log", string.Join('\n',
            Event("1", "alice", "delete", "pods", "old", "2024-03-01T00:00:00Z"),
            Event("2", "alice", "get", "pods", "new", "2024-05-01T00:00:00Z"),
            Event("3", "system:serviceaccount:team:ci", "get", "configmaps", "c", "2024-05-01T00:00:00Z")));

        var all = CliRunner.Run("rbac", "unused", "--rbac", TeamRbac(), log, "-o", "json");
        var recent = CliRunner.Run("rbac", "unused", "--rbac", TeamRbac(), log, "-o", "json", "--since", "30d");

        Assert.Equal(["delete", "get"], ObservedVerbs(all, "alice"));
        Assert.Equal(["get"], ObservedVerbs(recent, "alice"));
        using var json = JsonDocument.Parse(recent.Out);
        Assert.Equal("2024-04-01T00:00:00Z", json.RootElement.GetProperty("since").GetString());
        var rule = json.RootElement.GetProperty("subjects").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "alice")
            .GetProperty("bindings")[0].GetProperty("rules")[0];
        Assert.Equal(["delete"], rule.GetProperty("neverUsed").GetProperty("verbs").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(0.25, rule.GetProperty("fractionUsed").GetDouble());
    }

    [Fact]
    public void Subject_filter_takes_kinds_and_service_account_usernames()
    {
        var log = Write("audit.log", Event("1", "system:serviceaccount:team:ci", "get", "configmaps", "c", "2024-05-01T00:00:00Z"));

        var result = CliRunner.Run("rbac", "unused", "--rbac", TeamRbac(), log, "--subject", "system:serviceaccount:team:ci");

        Assert.All(result.OutLines.Skip(1).TakeWhile(l => !l.StartsWith("Candidates", StringComparison.Ordinal)), l => Assert.StartsWith("ServiceAccount team/ci", l, StringComparison.Ordinal));
        Assert.Contains("verbs=[delete] resources=[pods]", result.Out);
    }

    [Theory]
    [InlineData("--subject", "robot", "--subject 'robot' must be user:NAME, group:NAME or serviceaccount:NAMESPACE:NAME")]
    [InlineData("--subject", "user:bob", "no binding names any of the --subject subjects")]
    [InlineData("--since", "30x", "--since '30x' is not an RFC 3339 time")]
    public void Usage_errors_exit_2(string option, string value, string message)
    {
        var log = Write("audit.log", Event("1", "alice", "get", "pods", "p", "2024-05-01T00:00:00Z"));

        var result = CliRunner.Run("rbac", "unused", "--rbac", TeamRbac(), log, option, value);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public void Without_rbac_it_says_where_rbac_comes_from()
    {
        var result = CliRunner.Run("rbac", "unused", Log2017);

        Assert.Equal(ExitCodes.UsageOrUnusableInput, result.ExitCode);
        Assert.Contains("--rbac FILE|DIR", result.Error);
    }

    private static List<string?> ObservedVerbs(CliResult result, string user)
    {
        using var json = JsonDocument.Parse(result.Out);
        return [.. json.RootElement.GetProperty("subjects").EnumerateArray().Single(s => s.GetProperty("name").GetString() == user)
            .GetProperty("bindings")[0].GetProperty("rules")[0].GetProperty("observedVerbs").EnumerateArray().Select(v => v.GetString())];
    }
}
