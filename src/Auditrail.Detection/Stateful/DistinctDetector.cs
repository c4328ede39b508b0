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
    private struct Values
    {
        public (string Value, Hit Hit)[]? Seen;
        public int Count;
    }

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        var value = _value.Of(auditEvent);
        if (value == GroupKey.Missing)
        {
            return null;
        }

        ref var state = ref _keys.Touch(_key.Of(auditEvent), out _);
        var hit = new Hit(time.UtcTicks, auditEvent.AuditId);
        var seen = state.Seen ??= new (string, Hit)[1];
        var index = Array.FindIndex(seen, 0, state.Count, s => s.Value == value);
        if (index >= 0)
        {
            seen[index] = seen[index].Hit.Ticks < hit.Ticks ? (value, hit) : seen[index];
        }
        else
        {
            if (state.Count == seen.Length)
            {
                Array.Resize(ref state.Seen, Math.Min(seen.Length * 2, distinct.Count));
                seen = state.Seen;
            }

            seen[state.Count++] = (value, hit);
        }

        // Forget values older than the window (relative to the newest); keep the rest in place.
        var newest = seen.Take(state.Count).Max(s => s.Hit.Ticks);
        var kept = 0;
        for (var i = 0; i < state.Count; i++)
        {
            if (seen[i].Hit.Ticks > newest - distinct.Window.Ticks)
            {
                seen[kept++] = seen[i];
            }
        }

        state.Count = kept;
        if (kept < distinct.Count)
        {
            return null;
        }

        var values = seen.Take(kept).OrderBy(s => s.Hit.Ticks).ToList();
        state = default;
        var shown = string.Join(", ", values.Take(10).Select(v => v.Value)) + (values.Count > 10 ? ", …" : string.Empty);
        return new StatefulFiring(values.Count, distinct.Window, values.Select(v => v.Hit.AuditId).OfType<string>().ToArray(),
            $"{values.Count} distinct {distinct.Field} within {Durations.Format(distinct.Window)}: {shown}");
    }
}
