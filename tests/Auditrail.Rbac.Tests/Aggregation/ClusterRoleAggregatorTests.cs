using Auditrail.Rbac.Aggregation;
using Auditrail.Rbac.Loading;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Tests.Aggregation;

/// <summary>The clusterrole-aggregation controller's behaviour: selectors, order, deduplication, chains.</summary>
public sealed class ClusterRoleAggregatorTests
{
    private static PolicyRule Rule(string verb, string resource) => new() { Verbs = [verb], ApiGroups = [""], Resources = [resource] };

    private static RbacRole Part(string name, Dictionary<string, string> labels, params PolicyRule[] rules) =>
        new() { IsClusterRole = true, Name = name, Labels = labels, Rules = rules };

    private static RbacRole Aggregate(string name, params LabelSelector[] selectors) =>
        new() { IsClusterRole = true, Name = name, AggregationRule = selectors, Rules = [Rule("own", "ignored")] };

    private static LabelSelector Labels(string key, string value) => new() { MatchLabels = new Dictionary<string, string> { [key] = value } };

    private static LabelSelector Expression(string key, string op, params string[] values) => new() { MatchExpressions = [new LabelSelectorRequirement(key, op, values)] };

    private static IReadOnlyList<RbacRole> Run(List<RbacDiagnostic> diagnostics, params RbacRole[] roles) => ClusterRoleAggregator.Aggregate(roles, diagnostics);

    [Fact]
    public void Replaces_own_rules_with_the_selected_roles_rules_by_selector_then_name_without_repeats()
    {
        var diagnostics = new List<RbacDiagnostic>();
        var roles = Run(diagnostics,
            Aggregate("agg", Labels("to", "agg"), Labels("extra", "yes")),
            Part("zeta", new() { ["to"] = "agg" }, Rule("get", "pods")),
            Part("alpha", new() { ["to"] = "agg", ["extra"] = "yes" }, Rule("list", "pods"), Rule("get", "pods")),
            Part("other", new() { ["to"] = "elsewhere" }, Rule("delete", "pods")),
            Part("beta", new() { ["extra"] = "yes" }, Rule("watch", "pods")));

        var agg = roles.Single(r => r.Name == "agg");
        Assert.Empty(diagnostics);
        Assert.Equal(["list", "get", "watch"], agg.Rules.Select(r => r.Verbs[0]));
        Assert.Equal(["alpha", "zeta", "beta"], agg.AggregatedFrom);
    }

    [Theory]
    [InlineData("In", new[] { "a", "b" }, new[] { "has-a", "has-b" })]
    [InlineData("NotIn", new[] { "a" }, new[] { "has-b", "none" })]
    [InlineData("Exists", new string[0], new[] { "has-a", "has-b" })]
    [InlineData("DoesNotExist", new string[0], new[] { "none" })]
    public void Match_expressions_select_as_label_selectors_do(string op, string[] values, string[] expected)
    {
        var roles = Run([],
            Aggregate("agg", Expression("tier", op, values)),
            Part("has-a", new() { ["tier"] = "a" }, Rule("get", "a")),
            Part("has-b", new() { ["tier"] = "b" }, Rule("get", "b")),
            Part("none", [], Rule("get", "none")));

        Assert.Equal(expected, roles.Single(r => r.Name == "agg").AggregatedFrom);
    }

    [Fact]
    public void An_empty_selector_selects_every_other_cluster_role_but_not_itself_nor_roles()
    {
        var roles = Run([],
            Aggregate("agg", new LabelSelector()),
            Part("p", [], Rule("get", "pods")),
            new RbacRole { Name = "namespaced", Namespace = "n", Rules = [Rule("get", "secrets")] });

        Assert.Equal(["p"], roles.Single(r => r.Name == "agg").AggregatedFrom);
    }

    [Fact]
    public void Chains_settle_whatever_the_input_order()
    {
        RbacRole[] roles =
        [
            Aggregate("admin", Labels("to-admin", "true")),
            Aggregate("edit", Labels("to-edit", "true")) with { Labels = new Dictionary<string, string> { ["to-admin"] = "true" } },
            Aggregate("view", Labels("to-view", "true")) with { Labels = new Dictionary<string, string> { ["to-edit"] = "true" } },
            Part("admin-part", new() { ["to-admin"] = "true" }, Rule("create", "rolebindings")),
            Part("edit-part", new() { ["to-edit"] = "true" }, Rule("create", "pods")),
            Part("view-part", new() { ["to-view"] = "true" }, Rule("get", "pods")),
        ];

        var forward = Run([], roles).Single(r => r.Name == "admin");
        var backward = Run([], [.. roles.Reverse()]).Single(r => r.Name == "admin");

        Assert.Equal(["create pods", "create rolebindings", "get pods"], forward.Rules.Select(r => $"{r.Verbs[0]} {r.Resources[0]}").Order());
        Assert.Equal(forward.Rules.Select(r => r.ToString()), backward.Rules.Select(r => r.ToString()));
    }

    [Fact]
    public void An_invalid_selector_is_an_error_and_the_rules_stay_as_written()
    {
        var diagnostics = new List<RbacDiagnostic>();
        var roles = Run(diagnostics, Aggregate("agg", Expression("k", "Equals", "v")), Part("p", new() { ["k"] = "v" }, Rule("get", "pods")));

        Assert.Equal(["own"], roles.Single(r => r.Name == "agg").Rules.Select(r => r.Verbs[0]));
        Assert.Contains("\"Equals\" is not a valid operator", Assert.Single(diagnostics).Message);
        Assert.Contains("needs at least one value", LabelSelectorMatcher.Validate(Expression("k", "In")));
        Assert.Contains("takes no values", LabelSelectorMatcher.Validate(Expression("k", "Exists", "v")));
    }

    [Fact]
    public void Roles_that_select_each_other_are_reported()
    {
        var diagnostics = new List<RbacDiagnostic>();
        Run(diagnostics,
            Aggregate("a", Labels("x", "1")) with { Labels = new Dictionary<string, string> { ["y"] = "1" }, Rules = [Rule("get", "a")] },
            Aggregate("b", Labels("y", "1")) with { Labels = new Dictionary<string, string> { ["x"] = "1" }, Rules = [Rule("get", "b")] });

        Assert.Contains("cycle", Assert.Single(diagnostics).Message);
    }

    [Fact]
    public void Aggregation_rules_are_read_from_yaml()
    {
        var text = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: monitoring}
            aggregationRule:
              clusterRoleSelectors:
              - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
              - matchExpressions: [{key: tier, operator: In, values: [metrics]}]
            rules: []
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: part, labels: {tier: metrics}}
            rules: [{apiGroups: [""], resources: [services], verbs: [get]}]
            """;

        var role = RbacLoader.LoadText(text, "m.yaml").Snapshot.GetClusterRole("monitoring")!;

        Assert.Equal(2, role.AggregationRule!.Count);
        Assert.Equal(["part"], role.AggregatedFrom);
        Assert.Equal(["services"], Assert.Single(role.Rules).Resources);
    }
}
