using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Engine;

/// <summary>A rule whose condition held for an event; for a sequence rule, <see cref="Steps"/> has a bit set per step that matched.</summary>
public readonly record struct RuleMatch(CompiledRule Rule, uint Steps);

/// <summary>
/// The stateless half of detection: which rules' conditions hold for an event. It keeps no state
/// between events, so a scan may run one matcher per core and hand the matches, in event order, to
/// one <see cref="DetectionEngine"/> that owns the stateful half.
/// </summary>
/// <remarks>Not thread-safe: one matcher per thread (the activation caches the current event's fields).</remarks>
public sealed class RuleMatcher(RuleSet rules)
{
    private readonly AuditEventActivation _activation = new(rules.Environment);

    /// <summary>Conditions evaluated so far (the index keeps most rule-event pairs from getting this far).</summary>
    public long Evaluations { get; private set; }

    /// <summary>Appends the rules that match <paramref name="auditEvent"/>, in pack order.</summary>
    public void Match(AuditEvent auditEvent, List<RuleMatch> matches)
    {
        var candidates = rules.Candidates(auditEvent);
        if (candidates.Count == 0)
        {
            return;
        }

        _activation.Reset(auditEvent);

        // An index loop: foreach over the interface would allocate an enumerator per event.
        for (var c = 0; c < candidates.Count; c++)
        {
            var rule = candidates[c];
            Evaluations++;
            if (!rule.Condition.Evaluate(_activation).IsTrue || (rule.Exceptions is { } exceptions && exceptions.Exempts(auditEvent)))
            {
                continue;
            }

            var steps = 0u;
            for (var i = 0; i < rule.Steps.Count; i++)
            {
                Evaluations++;
                if (rule.Steps[i].Evaluate(_activation).IsTrue)
                {
                    steps |= 1u << i;
                }
            }

            if (rule.Steps.Count == 0 || steps != 0)
            {
                matches.Add(new RuleMatch(rule, steps));
            }
        }
    }
}
