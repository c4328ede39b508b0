using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Lint;
using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Needs;
using Auditrail.AuditPolicy.Recommendation;
using Auditrail.AuditPolicy.Simulation;
using Auditrail.AuditPolicy.Tests.Support;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.LogGenerator;

namespace Auditrail.AuditPolicy.Tests.Recommendation;

public sealed class PolicyRecommenderTests
{
    private static readonly Lazy<List<AuditEvent>> Generated = new(() =>
    {
        using var log = new MemoryStream();
        new AuditLogGenerator(new GeneratorOptions { Seed = 5 }).Write(log, 30_000);
        return Events.ParseAll(System.Text.Encoding.UTF8.GetString(log.ToArray()));
    });

    private static (Auditrail.AuditPolicy.Recommendation.Recommendation Recommendation, SimulationReport Report) RecommendAndSimulate(IReadOnlyList<AuditEvent> events, RecommendOptions? options = null)
    {
        var profile = new TrafficProfile(DefaultPack.Needs);
        foreach (var e in events)
        {
            profile.OnEvent(e, default);
        }

        var recommendation = PolicyRecommender.Recommend(profile, options);
        var yaml = recommendation.ToYaml(["test"]);
        var loaded = PolicyLoader.LoadText(yaml, "recommended.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Findings) + "\n" + yaml);
        using var simulator = new PolicySimulator(CompiledPolicy.Compile(loaded.Policy!), DefaultPack.Needs);
        foreach (var e in events)
        {
            simulator.OnEvent(e, default);
        }

        return (recommendation, simulator.Report());
    }

    [Fact]
    public void On_generated_traffic_it_drops_most_of_the_volume_and_keeps_what_the_rules_need()
    {
        var (recommendation, report) = RecommendAndSimulate(Generated.Value);

        Assert.True(report.After.Bytes < report.Before.Bytes / 2, $"{report.After.Bytes} of {report.Before.Bytes}");

        // Losses only where they are chosen: Secret bodies withheld, panics of dropped requests, a rate that counts less.
        var lost = report.BlindSpots.Where(c => c.Need.Kind != NeedKind.Rate && c.Need.Name != "apiserver-panic").Select(c => c.Need.Name);
        Assert.Equal(recommendation.Withheld.Select(w => w.Rule).Order(), lost.Order());
        Assert.Contains(recommendation.Withheld, w => w.Rule == "serviceaccount-token-secret-read");
    }

    [Fact]
    public void The_recommended_policy_lints_clean_but_for_the_configmap_bodies_a_rule_reads()
    {
        var (recommendation, _) = RecommendAndSimulate(Generated.Value);
        var policy = PolicyLoader.LoadText(recommendation.ToYaml([]), "recommended.yaml").Policy!;

        var finding = Assert.Single(PolicyLinter.Lint(policy));
        Assert.Equal(PolicyCodes.SecretBodies, finding.Code);
        Assert.Equal("logs secret values at Request: configmaps (create, update, patch)", finding.Message);
    }

    [Fact]
    public void What_the_rules_pin_is_kept_even_when_the_traffic_never_had_it()
    {
        var (recommendation, _) = RecommendAndSimulate([Events.Request("get", uri: "/healthz")]);
        var policy = CompiledPolicy.Compile(recommendation.ToPolicy("r.yaml"));

        var podCreate = policy.Evaluate(Events.Request("create", resource: "pods", ns: "a"));
        var approval = policy.Evaluate(Events.Request("update", resource: "certificatesigningrequests", group: "certificates.k8s.io", name: "c", subresource: "approval"));
        var secretRead = policy.Evaluate(Events.Request("get", resource: "secrets", ns: "a", name: "s"));

        Assert.Equal(AuditLevel.Request, podCreate.Level);
        Assert.Equal(AuditLevel.Request, approval.Level);
        Assert.Equal((AuditLevel.Metadata, 0), (secretRead.Level, secretRead.RuleIndex));
        Assert.True(policy.NoMatch.Level == AuditLevel.None && recommendation.Rules[^1].Rule.MatchesEverything);
    }

    [Fact]
    public void A_service_account_seen_only_in_watches_keeps_its_watches_unless_term_loss_is_allowed()
    {
        string[] groups = ["system:serviceaccounts", "system:serviceaccounts:ops", "system:authenticated"];
        var events = Enumerable.Range(0, 50).Select(_ => Events.Request("watch", user: "system:serviceaccount:ops:watcher", groups: groups, resource: "pods", ns: "ops")).ToList();

        var (keeping, kept) = RecommendAndSimulate(events);
        var (losing, lost) = RecommendAndSimulate(events, new RecommendOptions(KeepEveryTerm: false));

        Assert.Contains("watches of system:serviceaccounts:ops (50 events)", keeping.KeptForTerms);
        Assert.Equal(50, kept.After.Events);
        Assert.Equal(0, lost.After.Events);
        Assert.Contains(lost.BlindSpots, c => c.Need.Name == "serviceaccount-token-new-source-ip");
    }
}
