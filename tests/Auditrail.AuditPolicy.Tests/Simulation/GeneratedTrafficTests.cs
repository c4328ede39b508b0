using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Tests.Support;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.LogGenerator;

namespace Auditrail.AuditPolicy.Tests.Simulation;

/// <summary>
/// The generator's simulated apiserver runs the policy in bench/Auditrail.LogGenerator/audit-policy.yaml;
/// evaluating that file on its log must give every event the level it was written at, and never a
/// stage the policy omits.
/// </summary>
public sealed class GeneratedTrafficTests
{
    [Fact]
    public void Every_generated_event_gets_the_level_and_stage_its_policy_wrote()
    {
        var path = Path.Combine(DefaultPack.RepositoryRoot, "bench", "Auditrail.LogGenerator", "audit-policy.yaml");
        var policy = CompiledPolicy.Compile(PolicyLoader.LoadFile(path).Policy!);
        using var log = new MemoryStream();
        new AuditLogGenerator(new GeneratorOptions { Seed = 11 }).Write(log, 20_000);
        log.Position = 0;
        var checker = new Checker(policy);

        new AuditLogReader().ReadStream(log, "generated", checker);

        Assert.Equal(20_000, checker.Events);
        Assert.Empty(checker.Mismatches);
    }

    private sealed class Checker(CompiledPolicy policy) : IAuditEventHandler
    {
        public int Events { get; private set; }

        public List<string> Mismatches { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            Events++;
            var decision = policy.Evaluate(auditEvent);
            if ((decision.Level != auditEvent.Level || !decision.Records(auditEvent.Stage)) && Mismatches.Count < 20)
            {
                Mismatches.Add($"line {location.Line}: recorded {auditEvent.Level} at {auditEvent.Stage}, policy says {decision.Level} by rules[{decision.RuleIndex}] omitting {decision.OmitStages}: "
                    + $"{auditEvent.Verb} {auditEvent.RequestUri} by {auditEvent.UserName}");
            }
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Assert.Fail(diagnostic.ToString());
    }
}
