using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Tests.Support;

namespace Auditrail.AuditPolicy.Tests.Loading;

/// <summary>Loading and upstream validation: every problem is an error kube-apiserver would refuse, placed on its line.</summary>
public sealed class PolicyLoaderTests
{
    private const string Header = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n";

    [Theory]
    [InlineData("  - verbs: [get]\n", PolicyCodes.LevelRequired, 4)]
    [InlineData("  - level: metadata\n", PolicyCodes.LevelInvalid, 4)]
    [InlineData("  - level: None\n    nonResourceURLs: [/healthz]\n    namespaces: [default]\n", PolicyCodes.NonResourceMixedWithResources, 5)]
    [InlineData("  - level: None\n    nonResourceURLs: [healthz]\n", PolicyCodes.NonResourceUrlNotAbsolute, 5)]
    [InlineData("  - level: None\n    nonResourceURLs:\n      - /api/*/pods\n", PolicyCodes.NonResourceWildcardNotLast, 6)]
    [InlineData("  - level: None\n    omitStages: [ResponseCompleted]\n", PolicyCodes.OmitStageInvalid, 5)]
    [InlineData("  - level: None\n    resources:\n      - group: \"\"\n        resourceNames: [x]\n", PolicyCodes.ResourceNamesWithoutResources, 7)]
    [InlineData("  - level: None\n    resources:\n      - group: rbac.authorization.k8s.io/v1\n", PolicyCodes.GroupInvalid, 6)]
    [InlineData("  - level: None\n    users: alice\n", PolicyCodes.WrongType, 5)]
    public void Upstream_validation_errors_have_a_code_and_a_line(string rules, string code, int line)
    {
        var result = PolicyLoader.LoadText(Header + rules, "p.yaml");

        var finding = Assert.Single(result.Findings);
        Assert.Equal((code, FindingSeverity.Error, line, 0), (finding.Code, finding.Severity, finding.Location.Line, finding.RuleIndex));
        Assert.StartsWith($"p.yaml:{line}:", finding.ToString());
    }

    [Fact]
    public void A_policy_without_rules_is_refused()
    {
        var result = PolicyLoader.LoadText("apiVersion: audit.k8s.io/v1\nkind: Policy\n", "p.yaml");

        Assert.Equal(PolicyCodes.NoRules, Assert.Single(result.Findings).Code);
    }

    [Fact]
    public void Another_kind_is_not_a_policy()
    {
        var result = PolicyLoader.LoadText("apiVersion: auditrail.io/v1alpha1\nkind: RulePack\n", "p.yaml");

        Assert.Null(result.Policy);
        Assert.Equal(PolicyCodes.NotAPolicy, Assert.Single(result.Findings).Code);
    }

    [Fact]
    public void V1beta1_loads_with_a_deprecation_warning()
    {
        var result = PolicyLoader.LoadText("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n  - level: Metadata\n", "p.yaml");

        Assert.False(result.HasErrors);
        Assert.Equal(PolicyCodes.DeprecatedVersion, Assert.Single(result.Findings).Code);
    }

    [Fact]
    public void An_unknown_field_is_a_warning_with_a_suggestion_because_the_apiserver_drops_it()
    {
        var result = PolicyLoader.LoadText(Header + "  - level: None\n    namespace: [kube-system]\n", "p.yaml");

        var finding = Assert.Single(result.Findings);
        Assert.Equal((PolicyCodes.UnknownField, FindingSeverity.Warning, 5), (finding.Code, finding.Severity, finding.Location.Line));
        Assert.Contains("did you mean namespaces?", finding.Message);
        Assert.Empty(result.Policy!.Rules[0].Namespaces);
    }

    [Fact]
    public void The_GCE_production_policy_loads_without_a_finding()
    {
        var result = PolicyLoader.LoadFile(Events.Data("audit-policy", "gce-master-audit-policy.yaml"));

        Assert.Empty(result.Findings);
        Assert.Equal(17, result.Policy!.Rules.Count);
        Assert.Equal(18, result.Policy.Rules[15].Resources.Count);
    }

    [Fact]
    public void JSON_policies_load_too()
    {
        var policy = Policies.Load("""{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"Metadata","resources":[{"group":"","resources":["pods"]}]}]}""");

        Assert.Equal("pods", policy.Rules[0].Resources[0].Resources[0]);
    }
}
