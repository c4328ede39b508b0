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

    private readonly KeyedStateTable<InlineList<(int Step, Hit Hit)>> _keys = new(maxKeys);
    private readonly int _stepCount = sequence.Steps.Count;
    private readonly GroupKey _key = new(sequence.By);

    public override int Keys => _keys.Count;

    public override long Evicted => _keys.Evicted;

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        // One flat list of (step, hit) per key: most keys see a single step and then nothing.
        ref var recorded = ref _keys.Touch(_key.Of(auditEvent), out _);
        var hit = new Hit(time.UtcTicks, auditEvent.AuditId);
        for (var step = 0; step < _stepCount; step++)
        {
            if ((steps & (1u << step)) != 0)
            {
                recorded.Add((step, hit));
                if (CountOf(recorded, step) > HitsPerStep)
                {
                    recorded.RemoveAt(OldestOf(recorded, step));
                }
            }
        }

        var newest = hit.Ticks;
        for (var i = 0; i < recorded.Count; i++)
        {
            newest = Math.Max(newest, recorded[i].Hit.Ticks);
        }

        recorded.RemoveWhere(static (entry, limit) => entry.Hit.Ticks < limit, newest - sequence.Within.Ticks);
        if (FindChain(recorded) is not { } chain)
        {
            return null;
        }

        recorded.Clear();
        var names = string.Join(" → ", sequence.Steps.Select(s => s.Name));
        return new StatefulFiring(chain.Length, sequence.Within, chain.Select(h => h.AuditId).OfType<string>().ToArray(),
            $"{names} within {Durations.Format(sequence.Within)}");
    }

    private static int CountOf(in InlineList<(int Step, Hit Hit)> recorded, int step)
    {
        var count = 0;
        for (var i = 0; i < recorded.Count; i++)
        {
            count += recorded[i].Step == step ? 1 : 0;
        }

        return count;
    }

    private static int OldestOf(in InlineList<(int Step, Hit Hit)> recorded, int step)
    {
        var oldest = -1;
        for (var i = 0; i < recorded.Count; i++)
        {
            if (recorded[i].Step == step && (oldest < 0 || recorded[i].Hit.Ticks < recorded[oldest].Hit.Ticks))
            {
                oldest = i;
            }
        }

        return oldest;
    }

    /// <summary>
    /// A chain of distinct events, one per step, in time order, within the span: for each start, the
    /// earliest later event of each next step (the greedy choice keeps the chain as short as possible).
    /// </summary>
    private Hit[]? FindChain(in InlineList<(int Step, Hit Hit)> recorded)
    {
        var chain = new Hit[_stepCount];
        for (var start = 0; start < recorded.Count; start++)
        {
            if (recorded[start].Step != 0)
            {
                continue;
            }

            chain[0] = recorded[start].Hit;
            if (Extend(recorded, chain) && chain[^1].Ticks - chain[0].Ticks <= sequence.Within.Ticks)
            {
                return chain;
            }
        }

        return null;
    }

    private static bool Extend(in InlineList<(int Step, Hit Hit)> recorded, Hit[] chain)
    {
        for (var step = 1; step < chain.Length; step++)
        {
            var best = -1;
            for (var i = 0; i < recorded.Count; i++)
            {
                // One request can satisfy one step only: the same event twice is not a sequence.
                var (candidateStep, candidate) = recorded[i];
                if (candidateStep == step && candidate.Ticks >= chain[step - 1].Ticks && !UsedEarlier(chain, step, candidate)
                    && (best < 0 || candidate.Ticks < recorded[best].Hit.Ticks))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                return false;
            }

            chain[step] = recorded[best].Hit;
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
