using System.Text.RegularExpressions;
using Auditrail.AuditPolicy.Needs;
using Auditrail.AuditPolicy.Tests.Support;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Tests.Needs;

/// <summary>The levels and requests the default pack needs, derived from its conditions.</summary>
public sealed class DetectionNeedsTests
{
    private static readonly DetectionNeeds Default = DefaultPack.Needs;

    /// <summary>docs/rules.md states the level each rule needs; the derivation must agree with every row.</summary>
    [Fact]
    public void Derived_levels_agree_with_the_rule_reference()
    {
        var docs = File.ReadAllText(Path.Combine(DefaultPack.RepositoryRoot, "docs", "rules.md"));
        var documented = Regex.Matches(docs, @"^\| `(?<rule>[a-z0-9-]+)` \|[^|]*\|[^|]*\| (?<level>Metadata|Request|RequestResponse)\b[^|]*\|", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups["rule"].Value, m => m.Groups["level"].Value);

        var mismatches = Default.Rules.Where(r => documented.GetValueOrDefault(r.Name) != r.Level.ToWireName())
            .Select(r => $"{r.Name}: derived {r.Level.ToWireName()}, documented {documented.GetValueOrDefault(r.Name) ?? "nothing"}");

        Assert.Empty(mismatches);
        Assert.True(Default.Rules.Count >= 60, $"{Default.Rules.Count} rules");
    }

    [Fact]
    public void A_body_rule_needs_every_request_its_metadata_part_admits()
    {
        var matcher = Default.CreateMatcher();
        var needed = new List<RuleNeed>();

        // A pod create logged at Metadata: no body, yet privileged-container must see it at Request.
        matcher.Match(Events.Request("create", user: "alice", groups: ["devs"], resource: "pods", ns: "web", name: "p"), needed);

        var privileged = Assert.Single(needed, n => n.Name == "privileged-container");
        Assert.Equal(AuditLevel.Request, privileged.Level);
        Assert.Empty(privileged.Subresources!);
    }

    [Fact]
    public void A_rule_that_tests_the_level_works_with_less_and_reads_more_when_it_can()
    {
        var approval = Default.Rules.Single(r => r.Name == "csr-approved");

        Assert.Equal(["approval"], approval.Subresources!);
        Assert.Equal(AuditLevel.Metadata, approval.Level);
        Assert.Equal(AuditLevel.Request, approval.FullLevel);
    }

    [Fact]
    public void New_terms_rules_need_terms_not_every_event()
    {
        var rule = Default.Rules.Single(r => r.Name == "serviceaccount-token-new-source-ip");

        Assert.Equal(NeedKind.Terms, rule.Kind);
        Assert.Equal(["identity.name", "sourceIP"], rule.TermFields.Select(f => f.Name).Order());
    }
}
