using Auditrail.AuditPolicy.Lint;
using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Tests.Support;

namespace Auditrail.AuditPolicy.Tests.Lint;

/// <summary>Each lint on a policy that has the problem and on its near miss.</summary>
public sealed class PolicyLinterTests
{
    private const string Header = "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n";
    private const string CatchAll = "  - level: Metadata\n";

    private static List<PolicyFinding> Lint(string rules) => [.. PolicyLinter.Lint(Policies.Load(Header + rules))];

    private static (string Code, int? Rule)[] Codes(string rules) => [.. Lint(rules).Select(f => (f.Code, f.RuleIndex))];

    [Fact]
    public void The_GCE_production_policy_lints_clean()
    {
        var policy = PolicyLoader.LoadFile(Events.Data("audit-policy", "gce-master-audit-policy.yaml")).Policy!;

        Assert.Empty(PolicyLinter.Lint(policy));
    }

    [Fact]
    public void A_rule_covered_by_an_earlier_one_is_unreachable()
    {
        var findings = Lint("""
              - level: Metadata
                resources: [{group: ""}]
              - level: Request
                verbs: [create]
                resources: [{group: "", resources: [pods]}]
              - level: None
                nonResourceURLs: ["/healthz*"]
              - level: None
                nonResourceURLs: [/healthz/etcd, /healthzz*]
            """ + "\n" + CatchAll);

        Assert.Equal([(PolicyCodes.Unreachable, 1), (PolicyCodes.Unreachable, 3)], findings.Select(f => (f.Code, f.RuleIndex)));
        Assert.Contains("rules[0] (line 5)", findings[0].Message);
    }

    [Theory]
    [InlineData("users: [alice]", "users: [alice, bob]")]
    [InlineData("verbs: [get]", "verbs: [get, list]")]
    [InlineData("resources: [{group: \"\", resources: [pods/log]}]", "resources: [{group: \"\", resources: [pods/*]}]")]
    [InlineData("resources: [{group: \"\", resources: [pods]}]", "resources: [{group: \"\", resources: [\"*/log\"]}]")]
    [InlineData("resources: [{group: \"\", resources: [configmaps], resourceNames: [a]}]", "resources: [{group: \"\", resources: [configmaps]}]")]
    [InlineData("userGroups: [devs]", "users: [alice]")]
    public void A_narrower_earlier_rule_does_not_shadow(string earlier, string later)
    {
        var codes = Codes($"  - level: None\n    {earlier}\n  - level: Request\n    {later}\n" + CatchAll);

        Assert.DoesNotContain(codes, c => c.Code == PolicyCodes.Unreachable);
    }

    [Fact]
    public void Secrets_and_tokens_logged_with_bodies_are_flagged_unless_an_earlier_rule_keeps_them_at_Metadata()
    {
        var exposed = Lint("""
              - level: RequestResponse
                namespaces: [payments]
                verbs: [create, update, patch, delete, deletecollection]
              - level: Metadata
                resources: [{group: "", resources: [secrets, configmaps, serviceaccounts/token]}, {group: authentication.k8s.io, resources: [tokenreviews]}]
              - level: RequestResponse
                resources: [{group: ""}, {group: authentication.k8s.io}]
            """ + "\n" + CatchAll);
        var finding = Assert.Single(exposed, f => f.Code == PolicyCodes.SecretBodies);

        Assert.Equal(0, finding.RuleIndex);
        Assert.Contains("secrets (create, update, patch, delete, deletecollection)", finding.Message);
        Assert.Contains("serviceaccounts/token (create)", finding.Message);
        Assert.DoesNotContain("tokenreviews", finding.Message);
    }

    [Fact]
    public void Requests_that_carry_no_secret_at_the_level_are_not_flagged()
    {
        // deletecollection's request body is DeleteOptions; a TokenRequest's request holds no token.
        var codes = Codes("""
              - level: Request
                verbs: [deletecollection]
              - level: Request
                resources: [{group: "", resources: [serviceaccounts/token]}]
            """ + "\n" + CatchAll);

        Assert.DoesNotContain(codes, c => c.Code == PolicyCodes.SecretBodies);
    }

    [Fact]
    public void Keeping_RequestReceived_is_flagged_per_logging_rule()
    {
        var policy = Policies.Load("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: None\n    verbs: [watch]\n  - level: Metadata\n    omitStages: [RequestReceived]\n    verbs: [get]\n  - level: Metadata\n");

        var findings = PolicyLinter.Lint(policy).Where(f => f.Code == PolicyCodes.RequestReceivedKept);

        Assert.Equal([2], findings.Select(f => f.RuleIndex!.Value));
    }

    [Fact]
    public void A_policy_without_a_catch_all_is_flagged()
    {
        Assert.Contains((PolicyCodes.NoCatchAll, 0), Codes("  - level: Metadata\n    verbs: [create]\n"));
        Assert.DoesNotContain(Codes("  - level: Metadata\n    verbs: [create]\n" + CatchAll), c => c.Code == PolicyCodes.NoCatchAll);
    }

    [Fact]
    public void System_reads_with_responses_are_flagged_unless_an_earlier_rule_takes_them()
    {
        Assert.Contains((PolicyCodes.ReadOnlySystemTrafficHigh, 0), Codes("  - level: RequestResponse\n    resources: [{group: apps}]\n" + CatchAll));
        Assert.DoesNotContain(Codes("  - level: Request\n    verbs: [get, list, watch]\n  - level: RequestResponse\n    resources: [{group: apps}]\n" + CatchAll),
            c => c.Code == PolicyCodes.ReadOnlySystemTrafficHigh);
        Assert.DoesNotContain(Codes("  - level: RequestResponse\n    userGroups: [oidc:admins]\n" + CatchAll), c => c.Code == PolicyCodes.ReadOnlySystemTrafficHigh);
    }

    [Fact]
    public void Resource_slash_star_is_flagged_because_it_matches_the_resource_too()
    {
        var finding = Assert.Single(Lint("  - level: None\n    resources: [{group: \"\", resources: [pods/*]}]\n" + CatchAll));

        Assert.Equal(PolicyCodes.SubresourceWildcardMatchesParent, finding.Code);
        Assert.Empty(Lint("  - level: None\n    resources: [{group: \"\", resources: [pods, pods/*]}]\n" + CatchAll));
    }

    [Fact]
    public void ResourceNames_on_creates_are_flagged()
    {
        Assert.Contains((PolicyCodes.ResourceNamesNeverMatch, 0),
            Codes("  - level: Request\n    verbs: [create]\n    resources: [{group: \"\", resources: [configmaps], resourceNames: [x]}]\n" + CatchAll));
        Assert.DoesNotContain(Codes("  - level: Request\n    verbs: [create]\n    resources: [{group: \"\", resources: [pods/eviction], resourceNames: [x]}]\n" + CatchAll),
            c => c.Code == PolicyCodes.ResourceNamesNeverMatch);
    }

    /// <summary>
    /// The generator's policy puts Secret and token bodies of the payments namespace in the log on purpose
    /// (rule 0); rule 6 also logs TokenReviews, token included, at RequestResponse.
    /// </summary>
    [Fact]
    public void The_generators_policy_shows_its_deliberate_mistake_and_the_TokenReviews()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "bench", "Auditrail.LogGenerator", "audit-policy.yaml");
        var findings = PolicyLinter.Lint(PolicyLoader.LoadFile(path).Policy!).Where(f => f.Code == PolicyCodes.SecretBodies).ToList();

        Assert.Equal([0, 6], findings.Select(f => f.RuleIndex!.Value));
        Assert.Contains("secrets (create, update, patch, delete, deletecollection)", findings[0].Message);
        Assert.Equal("logs secret values at RequestResponse: tokenreviews (create)", findings[1].Message);
    }
}
