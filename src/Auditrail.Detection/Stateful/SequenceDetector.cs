using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// Ordered steps per key within a span of event time: an RBAC binding change, then a workload created
/// by the same user within five minutes. Each key remembers recent events per step; when one chain of
/// distinct events, one per step, in time order, fits within the span, it alerts and starts over.
/// Because a chain is checked whenever any step arrives, a step that arrives late (within the
/// engine's tolerance) still completes the chain it belongs to.
/// </summary>
internal sealed class SequenceDetector(CompiledRule rule, RuleSequence sequence, int maxKeys) : StatefulDetector(rule)
{
    /// <summary>Recent events kept per step and key; older ones give way, which only matters under a flood.</summary>
    private const int HitsPerStep = 32;

    private readonly KeyedStateTable<Progress> _keys = new(maxKeys);
    private readonly int _stepCount = sequence.Steps.Count;
    private readonly GroupKey _key = new(sequence.By);

    public override int Keys => _keys.Count;

    public override long Evicted => _keys.Evicted;

    /// <summary>Recent events per step, created on a key's first event.</summary>
    private struct Progress
    {
        public HitList[]? Steps;
    }

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        ref var progress = ref _keys.Touch(_key.Of(auditEvent), out _);
        var recorded = progress.Steps ??= new HitList[_stepCount];
        var hit = new Hit(time.UtcTicks, auditEvent.AuditId);
        var newest = hit.Ticks;
        for (var i = 0; i < recorded.Length; i++)
        {
            if ((steps & (1u << i)) != 0)
            {
                recorded[i].Add(hit);
                if (recorded[i].Count > HitsPerStep)
                {
                    recorded[i].RemoveFirst();
                }
            }

            if (recorded[i].Count > 0)
            {
                newest = Math.Max(newest, recorded[i].NewestTicks);
            }
        }

        for (var i = 0; i < recorded.Length; i++)
        {
            recorded[i].DropOlderThan(newest - sequence.Within.Ticks - 1);
        }

        if (FindChain(recorded) is not { } chain)
        {
            return null;
        }

        progress = default;
        var names = string.Join(" → ", sequence.Steps.Select(s => s.Name));
        return new StatefulFiring(chain.Length, sequence.Within, chain.Select(h => h.AuditId).OfType<string>().ToArray(),
            $"{names} within {Durations.Format(sequence.Within)}");
    }

    /// <summary>
    /// The chain that starts earliest: for each start, the earliest later event of each next step
    /// (greedy choice keeps the chain as short as possible), accepted if it fits in the span.
    /// </summary>
    private Hit[]? FindChain(HitList[] steps)
    {
        if (steps.Any(s => s.Count == 0))
        {
            return null;
        }

        var chain = new Hit[steps.Length];
        for (var start = 0; start < steps[0].Count; start++)
        {
            chain[0] = steps[0][start];
            if (Extend(steps, chain) && chain[^1].Ticks - chain[0].Ticks <= sequence.Within.Ticks)
            {
                return chain;
            }
        }

        return null;
    }

    private static bool Extend(HitList[] steps, Hit[] chain)
    {
        for (var step = 1; step < chain.Length; step++)
        {
            var window = steps[step];
            var found = false;
            for (var i = 0; i < window.Count && !found; i++)
            {
                // One request can satisfy one step only: the same audit ID twice is not a sequence.
                var candidate = window[i];
                if (candidate.Ticks >= chain[step - 1].Ticks && !UsedEarlier(chain, step, candidate))
                {
                    chain[step] = candidate;
                    found = true;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static bool UsedEarlier(Hit[] chain, int step, Hit candidate)
    {
        for (var i = 0; i < step; i++)
        {
            if (chain[i].Ticks == candidate.Ticks && chain[i].AuditId == candidate.AuditId)
            {
                return true;
            }
        }

        return false;
    }
}
