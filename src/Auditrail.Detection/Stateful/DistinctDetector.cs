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
    private readonly KeyedStateTable<InlineList<(string Value, Hit Hit)>> _keys = new(maxKeys);
    private readonly GroupKey _key = new(distinct.By);
    private readonly GroupKey _value = new([distinct.Field]);

    public override int Keys => _keys.Count;

    public override long Evicted => _keys.Evicted;

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        var value = _value.Of(auditEvent);
        if (value == GroupKey.Missing)
        {
            return null;
        }

        // Each distinct value with the last time it was seen and the request that showed it; never more than the rule's count.
        ref var seen = ref _keys.Touch(_key.Of(auditEvent), out _);
        var hit = new Hit(time.UtcTicks, auditEvent.AuditId);
        var index = -1;
        var newest = hit.Ticks;
        for (var i = 0; i < seen.Count; i++)
        {
            index = seen[i].Value == value ? i : index;
            newest = Math.Max(newest, seen[i].Hit.Ticks);
        }

        if (index < 0)
        {
            seen.Add((value, hit));
        }
        else if (seen[index].Hit.Ticks < hit.Ticks)
        {
            seen[index] = (value, hit);
        }

        seen.RemoveWhere(static (s, limit) => s.Hit.Ticks <= limit, newest - distinct.Window.Ticks);
        if (seen.Count < distinct.Count)
        {
            return null;
        }

        var values = new List<(string Value, Hit Hit)>(seen.Count);
        for (var i = 0; i < seen.Count; i++)
        {
            values.Add(seen[i]);
        }

        values.Sort((a, b) => a.Hit.Ticks.CompareTo(b.Hit.Ticks));
        seen.Clear();
        var shown = string.Join(", ", values.Take(10).Select(v => v.Value)) + (values.Count > 10 ? ", …" : string.Empty);
        return new StatefulFiring(values.Count, distinct.Window, values.Select(v => v.Hit.AuditId).OfType<string>().ToArray(),
            $"{values.Count} distinct {distinct.Field} within {Durations.Format(distinct.Window)}: {shown}");
    }
}
