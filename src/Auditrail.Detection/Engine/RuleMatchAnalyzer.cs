using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.Detection.Engine;

/// <summary>
/// The stateless half of detection as a parallel read's per-worker analysis: the rules whose conditions
/// hold for an event, for a <see cref="DetectionEngine.Apply"/> in event order. One instance per worker
/// (see <see cref="ParallelAuditLogReader"/>); instances may be reused across reads.
/// </summary>
public sealed class RuleMatchAnalyzer(Rules.RuleSet rules) : IEventAnalyzer<RuleMatch[]>
{
    private readonly RuleMatcher _matcher = new(rules);
    private readonly List<RuleMatch> _matches = [];

    /// <summary>The matches, in pack order; most events match nothing and get a shared empty array.</summary>
    public RuleMatch[] Analyze(AuditEvent auditEvent, in RecordLocation location)
    {
        _matches.Clear();
        _matcher.Match(auditEvent, _matches);
        return _matches.Count == 0 ? [] : [.. _matches];
    }
}
