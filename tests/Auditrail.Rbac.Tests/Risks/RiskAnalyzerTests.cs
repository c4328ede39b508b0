using Auditrail.Rbac.Model;
using Auditrail.Rbac.Risks;

namespace Auditrail.Rbac.Tests.Risks;

/// <summary>Risks are found with the authorizer's matching, not by comparing strings.</summary>
public sealed class RiskAnalyzerTests
{
    private static readonly RbacSubject Alice = new(SubjectKind.User, "alice");

    private static IReadOnlyList<RiskFinding> Analyze(PolicyRule rule, RbacSubject? subject = null, string bindingNamespace = "")
    {
        var role = new RbacRole { IsClusterRole = true, Name = "r", Rules = [rule] };
        var binding = new RbacBinding
        {
            IsClusterBinding = bindingNamespace.Length == 0,
            Name = "b",
            Namespace = bindingNamespace,
            RoleRef = new RoleRef("ClusterRole", "r"),
            Subjects = [subject ?? Alice],
        };
        return RiskAnalyzer.Analyze(new RbacSnapshot([role], [binding]));
    }

    private static PolicyRule Rule(string[] verbs, string[] groups, string[] resources, string[]? names = null) =>
        new() { Verbs = verbs, ApiGroups = groups, Resources = resources, ResourceNames = names ?? [] };

    private static List<string> Ids(IReadOnlyList<RiskFinding> findings) => [.. findings.Select(f => f.Risk.Name).Distinct().Order()];

    [Fact]
    public void Wildcard_verbs_on_roles_grant_escalate_and_bind()
    {
        var findings = Analyze(Rule(["*"], ["rbac.authorization.k8s.io"], ["clusterroles"]));

        Assert.Equal(["bind", "escalate"], Ids(findings));
        Assert.All(findings, f => Assert.Equal(RiskSeverity.Critical, f.Severity));
    }

    [Fact]
    public void Wildcard_everything_is_one_cluster_admin_finding()
    {
        var finding = Assert.Single(Analyze(Rule(["*"], ["*"], ["*"])));

        Assert.Equal("AR4101", finding.Risk.Id);
        Assert.Contains("includes every other risk of the catalogue", finding.Notes);
    }

    [Fact]
    public void Wildcard_resources_with_some_verbs_reach_subresources()
    {
        // Like the garbage collector's role: get on * is also get on nodes/proxy and pods/exec.
        var findings = Analyze(Rule(["get", "list"], ["*"], ["*"]));

        Assert.Equal(["nodes-proxy", "pods-exec", "pods-portforward", "secrets-get", "secrets-list"], Ids(findings));
        Assert.DoesNotContain(findings, f => f.Risk.Name == "cluster-admin");
    }

    [Theory]
    [InlineData("pods/*", false)]
    [InlineData("pods", false)]
    [InlineData("*/exec", true)]
    [InlineData("pods/exec", true)]
    public void Exec_is_found_only_where_the_authorizer_would_allow_it(string resource, bool expected)
    {
        var findings = Analyze(Rule(["create"], [""], [resource]));

        Assert.Equal(expected, findings.Any(f => f.Risk.Name == "pods-exec"));
    }

    [Fact]
    public void Named_objects_lower_the_severity_one_step_and_say_so()
    {
        var named = Assert.Single(Analyze(Rule(["get"], [""], ["secrets"], ["db-password"])));
        var all = Assert.Single(Analyze(Rule(["get"], [""], ["secrets"])));

        Assert.Equal(RiskSeverity.High, all.Severity);
        Assert.Equal(RiskSeverity.Medium, named.Severity);
        Assert.Contains("limited to the objects named db-password", named.Notes);
    }

    [Fact]
    public void List_of_named_secrets_counts_because_a_name_field_selector_sets_the_name()
    {
        var finding = Assert.Single(Analyze(Rule(["list"], [""], ["secrets"], ["one"])));

        Assert.Equal("secrets-list", finding.Risk.Name);
    }

    [Fact]
    public void Aws_auth_needs_a_binding_that_reaches_kube_system()
    {
        var rule = Rule(["update"], [""], ["configmaps"], ["aws-auth"]);

        Assert.Equal(RiskSeverity.Critical, Assert.Single(Analyze(rule, bindingNamespace: "kube-system")).Severity);
        Assert.Empty(Analyze(rule, bindingNamespace: "team"));
        Assert.Single(Analyze(rule));
        Assert.Empty(Analyze(Rule(["update"], [""], ["configmaps"], ["other"])));
    }

    [Fact]
    public void Risky_grants_to_broad_groups_are_critical_and_wildcards_for_them_are_findings()
    {
        var authenticated = new RbacSubject(SubjectKind.Group, "system:authenticated");

        var secrets = Analyze(Rule(["get"], [""], ["secrets"]), authenticated);
        var wildcard = Analyze(Rule(["get"], ["*"], ["widgets"]), new RbacSubject(SubjectKind.Group, "system:serviceaccounts:ci"));
        var sameForAlice = Analyze(Rule(["get"], ["*"], ["widgets"]));

        var secret = Assert.Single(secrets);
        Assert.Equal(RiskSeverity.Critical, secret.Severity);
        Assert.Contains("granted to every authenticated user and service account", secret.Notes);
        var broad = Assert.Single(wildcard);
        Assert.Equal("broad-wildcard", broad.Risk.Name);
        Assert.Equal(["apiGroups: *"], broad.Permissions);
        Assert.Empty(sameForAlice);
    }

    [Fact]
    public void Anonymous_wildcard_urls_are_found_but_prefixes_are_not_wildcards()
    {
        var anonymous = new RbacSubject(SubjectKind.User, "system:anonymous");

        var all = Assert.Single(Analyze(new PolicyRule { Verbs = ["get"], NonResourceUrls = ["*"] }, anonymous));
        Assert.Equal(["nonResourceURLs: *"], all.Permissions);
        Assert.Empty(Analyze(new PolicyRule { Verbs = ["get"], NonResourceUrls = ["/api/*", "/healthz"] }, anonymous));
        // Through a RoleBinding a non-resource rule grants nothing, so there is nothing to report.
        Assert.Empty(Analyze(new PolicyRule { Verbs = ["get"], NonResourceUrls = ["*"] }, anonymous, "team"));
    }

    [Fact]
    public void System_subjects_are_marked_control_plane_not_hidden()
    {
        var masters = Assert.Single(Analyze(Rule(["*"], ["*"], ["*"]), new RbacSubject(SubjectKind.Group, "system:masters")));
        var controller = Assert.Single(Analyze(Rule(["create"], [""], ["serviceaccounts/token"]), new RbacSubject(SubjectKind.ServiceAccount, "c", "kube-system")));
        var user = Assert.Single(Analyze(Rule(["create"], [""], ["serviceaccounts/token"])));

        Assert.True(masters.ControlPlane);
        // Bound by a binding that is not one of the bootstrap "system:" ones: not by design.
        Assert.False(controller.ControlPlane);
        Assert.False(user.ControlPlane);
    }

    [Fact]
    public void A_service_account_that_matches_nobody_is_not_reported()
    {
        Assert.Empty(Analyze(Rule(["get"], [""], ["secrets"]), new RbacSubject(SubjectKind.ServiceAccount, "no-namespace")));
        Assert.Single(Analyze(Rule(["get"], [""], ["secrets"]), new RbacSubject(SubjectKind.ServiceAccount, "app"), "team"));
    }

    [Fact]
    public void Harmless_rules_yield_nothing()
    {
        Assert.Empty(Analyze(Rule(["get", "list", "watch"], ["", "apps"], ["pods", "deployments", "configmaps", "pods/log"])));
        Assert.Empty(Analyze(Rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews"])));
    }
}
