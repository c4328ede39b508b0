using Auditrail.Core.Fields;
using Auditrail.Core.Identity;
using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Engine;

/// <summary>
/// Runs a rule set over events in order: each event meets only the rules its stage, verb and resource
/// allow, and a rule that matches several stages of one request alerts once.
/// </summary>
/// <remarks>
/// Not thread-safe. Detection has a stateless half (<see cref="RuleMatcher"/>, which may run on many
/// threads) and a stateful half (<see cref="Apply"/>: dedup and the keyed windows), which must see
/// events in order on one thread. <see cref="Process"/> does both.
/// </remarks>
public sealed class DetectionEngine(RuleSet rules, string? cluster = null)
{
    /// <summary>How many recent (rule, auditID) pairs are remembered to suppress a second alert for the same request.</summary>
    private const int DedupCapacity = 65_536;

    private readonly RuleMatcher _matcher = new(rules);
    private readonly List<RuleMatch> _matches = [];
    private readonly ThresholdTracker _thresholds = new();
    private readonly HashSet<(string Rule, string AuditId)> _recent = [];
    private readonly Queue<(string Rule, string AuditId)> _recentOrder = new();

    public long EventsSeen { get; private set; }

    /// <summary>Conditions evaluated by this engine's own matcher (see <see cref="Process"/>).</summary>
    public long Evaluations => _matcher.Evaluations;

    /// <summary>Threshold keys dropped to bound memory.</summary>
    public long EvictedKeys => _thresholds.Evicted;

    /// <summary>Matches and applies one event.</summary>
    public void Process(AuditEvent auditEvent, Action<Alert> emit)
    {
        _matches.Clear();
        _matcher.Match(auditEvent, _matches);
        Apply(auditEvent, _matches, emit);
    }

    /// <summary>
    /// The stateful half: given the rules that matched <paramref name="auditEvent"/> (from any
    /// <see cref="RuleMatcher"/> over the same rule set), raises the alerts. Call in event order.
    /// </summary>
    public void Apply(AuditEvent auditEvent, IReadOnlyList<RuleMatch> matches, Action<Alert> emit)
    {
        EventsSeen++;
        foreach (var match in matches)
        {
            var rule = match.Rule;
            if (IsRepeat(rule, auditEvent))
            {
                continue;
            }

            if (rule.Definition.Threshold is not { } threshold)
            {
                emit(CreateAlert(rule, auditEvent));
                continue;
            }

            if (_thresholds.Observe(rule, threshold, auditEvent) is { } hits)
            {
                emit(CreateAlert(rule, auditEvent) with
                {
                    Count = hits.Count,
                    Window = threshold.Window,
                    AuditIds = hits.Select(h => h.AuditId).OfType<string>().ToArray(),
                });
            }
        }
    }

    private bool IsRepeat(CompiledRule rule, AuditEvent auditEvent)
    {
        if (rule.Definition.Stages.Count < 2 || auditEvent.AuditId is not { } auditId)
        {
            return false;
        }

        var key = (rule.Definition.Name, auditId);
        if (!_recent.Add(key))
        {
            return true;
        }

        _recentOrder.Enqueue(key);
        if (_recentOrder.Count > DedupCapacity)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }

        return false;
    }

    private Alert CreateAlert(CompiledRule rule, AuditEvent e) => new()
    {
        Rule = rule.Definition.Name,
        Severity = rule.Definition.Severity,
        Time = e.Time,
        Cluster = e.Cluster ?? cluster,
        Identity = FieldCatalog.EffectiveName(e),
        IdentityKind = FieldCatalog.Identify(e).Kind.ToWireName(),
        Impersonator = e.HasImpersonation ? e.UserName : null,
        Target = FieldCatalog.Target(e),
        Verb = e.Verb,
        SourceIp = e.SourceIp,
        Message = rule.Output.Render(e),
        Tags = rule.Definition.Tags,
        AuditIds = e.AuditId is { } id ? [id] : [],
    };
}
