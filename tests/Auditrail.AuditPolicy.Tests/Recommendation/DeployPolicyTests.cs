using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Lint;
using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Simulation;
using Auditrail.AuditPolicy.Tests.Support;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.LogGenerator;

namespace Auditrail.AuditPolicy.Tests.Recommendation;

/// <summary>deploy/audit-policy.yaml, the policy we recommend: valid, commented, and what it costs detection.</summary>
public sealed class DeployPolicyTests
{
    private static readonly string Path = System.IO.Path.Combine(DefaultPack.RepositoryRoot, "deploy", "audit-policy.yaml");

    [Fact]
    public void It_loads_and_its_only_finding_is_the_configmap_bodies_it_keeps_on_purpose()
    {
        var loaded = PolicyLoader.LoadFile(Path);

        Assert.Empty(loaded.Findings);
        var finding = Assert.Single(PolicyLinter.Lint(loaded.Policy!));
        Assert.Equal((PolicyCodes.SecretBodies, 1), (finding.Code, finding.RuleIndex));
        Assert.Equal("logs secret values at Request: configmaps (create, update, patch)", finding.Message);
    }

    [Fact]
    public void Every_rule_has_a_comment()
    {
        var lines = File.ReadAllLines(Path);
        var rules = lines.Select((line, i) => (line, i)).Where(x => x.line.TrimStart().StartsWith("- level:", StringComparison.Ordinal)).ToList();

        Assert.All(rules, rule => Assert.True(
            lines.Take(rule.i).Reverse().SkipWhile(l => l.TrimStart().StartsWith("- level:", StringComparison.Ordinal) || l.StartsWith("    ", StringComparison.Ordinal))
                .FirstOrDefault()?.TrimStart().StartsWith('#') == true,
            $"line {rule.i + 1} has no comment above it"));
    }

    [Fact]
    public void On_generated_traffic_the_default_pack_loses_only_what_the_comments_say()
    {
        using var log = new MemoryStream();
        new AuditLogGenerator(new GeneratorOptions { Seed = 3 }).Write(log, 30_000);
        log.Position = 0;
        using var simulator = new PolicySimulator(CompiledPolicy.Compile(PolicyLoader.LoadFile(Path).Policy!), DefaultPack.Needs);

        new AuditLogReader().ReadStream(log, "generated", simulator);
        var report = simulator.Report();

        Assert.True(report.After.Bytes < report.Before.Bytes / 3, $"{report.After.Bytes} of {report.Before.Bytes}");
        string[] accepted = ["serviceaccount-token-secret-read", "request-rate-spike", "apiserver-panic", "serviceaccount-token-new-source-ip", "serviceaccount-token-new-user-agent"];
        Assert.Empty(report.BlindSpots.Select(c => c.Need.Name).Except(accepted));
        Assert.All(report.BlindSpots.Where(c => c.Need.Name.StartsWith("serviceaccount-token-new", StringComparison.Ordinal)),
            c => Assert.Contains("horizontal-pod-autoscaler", c.Example));
    }

    [Fact]
    public void Pod_creates_are_logged_with_their_body_and_health_checks_not_at_all()
    {
        var policy = CompiledPolicy.Compile(PolicyLoader.LoadFile(Path).Policy!);

        Assert.Equal(AuditLevel.Request, policy.Evaluate(Events.Request("create", resource: "pods", ns: "a")).Level);
        Assert.Equal(AuditLevel.Metadata, policy.Evaluate(Events.Request("patch", resource: "pods", ns: "a", name: "p", subresource: "status")).Level);
        Assert.Equal(AuditLevel.None, policy.Evaluate(Events.Request("get", user: "system:anonymous", groups: ["system:unauthenticated"], uri: "/readyz?verbose")).Level);
        Assert.Equal(AuditLevel.Metadata, policy.Evaluate(Events.Request("get", user: "system:anonymous", groups: ["system:unauthenticated"], uri: "/metrics")).Level);
    }
}
