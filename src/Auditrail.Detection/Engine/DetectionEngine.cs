using Auditrail.Core.Fields;
using Auditrail.Core.Identity;
using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Engine;

/// <summary>
/// Runs a rule set over events in order: each event meets only the rules its stage, verb and resource
/// allow, and a rule that matches several stages of one request alerts once.
/// </summary>
/// <remarks>Not thread-safe: one engine per pipeline worker (the activation and dedup state are per engine).</remarks>
public sealed class DetectionEngine(RuleSet rules, string? cluster = null)
{
    /// <summary>How many recent (rule, auditID) pairs are remembered to suppress a second alert for the same request.</summary>
    private const int DedupCapacity = 65_536;

    private readonly AuditEventActivation _activation = new(rules.Environment);
    private readonly ThresholdTracker _thresholds = new();
    private readonly HashSet<(string Rule, string AuditId)> _recent = [];
    private readonly Queue<(string Rule, string AuditId)> _recentOrder = new();

    public long EventsSeen { get; private set; }
    public long Evaluations { get; private set; }

    /// <summary>Threshold keys dropped to bound memory.</summary>
    public long EvictedKeys => _thresholds.Evicted;

    public void Process(AuditEvent auditEvent, Action<Alert> emit)
    {
        EventsSeen++;
        var candidates = rules.Candidates(auditEvent);
        if (candidates.Count == 0)
        {
            return;
        }

        _activation.Reset(auditEvent);
        foreach (var rule in candidates)
        {
            Evaluations++;
            if (!rule.Condition.Evaluate(_activation).IsTrue || IsRepeat(rule, auditEvent))
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
