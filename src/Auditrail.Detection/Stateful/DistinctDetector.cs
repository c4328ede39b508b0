using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// Counts distinct values of a field per key within a sliding window of event time: three different
/// Secret names read by one identity in a minute is enumeration, three reads of one Secret are not.
/// It alerts when the count is reached and starts over for that key.
/// </summary>
internal sealed class DistinctDetector(CompiledRule rule, RuleDistinct distinct, int maxKeys) : StatefulDetector(rule)
{
    private readonly KeyedStateTable<Values> _keys = new(maxKeys);
    private readonly GroupKey _key = new(distinct.By);
    private readonly GroupKey _value = new([distinct.Field]);

    public override int Keys => _keys.Count;

    public override long Evicted => _keys.Evicted;

    /// <summary>Each distinct value with the last time it was seen and the request that showed it; never more than the rule's count.</summary>
    private sealed class Values : KeyedState
    {
        public readonly List<(string Value, Hit Hit)> Seen = new(2);
    }

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        var value = _value.Of(auditEvent);
        if (value == GroupKey.Missing)
        {
            return null;
        }

        var state = _keys.Touch(_key.Of(auditEvent), static () => new Values());
        var seen = state.Seen;
        var hit = new Hit(time.UtcTicks, auditEvent.AuditId);
        var index = seen.FindIndex(s => s.Value == value);
        if (index < 0)
        {
            seen.Add((value, hit));
        }
        else if (seen[index].Hit.Ticks < hit.Ticks)
        {
            seen[index] = (value, hit);
        }

        var newest = seen.Max(s => s.Hit.Ticks);
        seen.RemoveAll(s => s.Hit.Ticks <= newest - distinct.Window.Ticks);
        if (seen.Count < distinct.Count)
        {
            return null;
        }

        var values = seen.OrderBy(s => s.Hit.Ticks).ToList();
        seen.Clear();
        var shown = string.Join(", ", values.Take(10).Select(v => v.Value)) + (values.Count > 10 ? ", …" : string.Empty);
        return new StatefulFiring(values.Count, distinct.Window, values.Select(v => v.Hit.AuditId).OfType<string>().ToArray(),
            $"{values.Count} distinct {distinct.Field} within {Durations.Format(distinct.Window)}: {shown}");
    }
}
