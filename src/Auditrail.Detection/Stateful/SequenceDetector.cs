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
    private readonly GroupKey _key = new(sequence.By);

    public override int Keys => _keys.Count;

    public override long Evicted => _keys.Evicted;

    private sealed class Progress(int steps) : KeyedState
    {
        public readonly TimeWindow?[] Steps = new TimeWindow?[steps];
    }

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        var count = sequence.Steps.Count;
        var progress = _keys.Touch(_key.Of(auditEvent), () => new Progress(count));
        var hit = new Hit(time.UtcTicks, auditEvent.AuditId);
        var newest = hit.Ticks;
        for (var i = 0; i < count; i++)
        {
            if ((steps & (1u << i)) != 0)
            {
                var window = progress.Steps[i] ??= new TimeWindow();
                window.Add(hit);
                if (window.Count > HitsPerStep)
                {
                    window.RemoveAt(0);
                }
            }

            if (progress.Steps[i] is { Count: > 0 } recorded)
            {
                newest = Math.Max(newest, recorded.NewestTicks);
            }
        }

        foreach (var window in progress.Steps)
        {
            window?.DropOlderThan(newest - sequence.Within.Ticks - 1);
        }

        if (FindChain(progress) is not { } chain)
        {
            return null;
        }

        Array.Fill(progress.Steps, null);
        var names = string.Join(" → ", sequence.Steps.Select(s => s.Name));
        return new StatefulFiring(chain.Length, sequence.Within, chain.Select(h => h.AuditId).OfType<string>().ToArray(),
            $"{names} within {Durations.Format(sequence.Within)}");
    }

    /// <summary>
    /// The chain that starts earliest: for each start, the earliest later event of each next step
    /// (greedy choice keeps the chain as short as possible), accepted if it fits in the span.
    /// </summary>
    private Hit[]? FindChain(Progress progress)
    {
        if (progress.Steps.Any(s => s is not { Count: > 0 }))
        {
            return null;
        }

        var chain = new Hit[progress.Steps.Length];
        var first = progress.Steps[0]!;
        for (var start = 0; start < first.Count; start++)
        {
            chain[0] = first[start];
            if (Extend(progress, chain) && chain[^1].Ticks - chain[0].Ticks <= sequence.Within.Ticks)
            {
                return chain;
            }
        }

        return null;
    }

    private static bool Extend(Progress progress, Hit[] chain)
    {
        for (var step = 1; step < chain.Length; step++)
        {
            var window = progress.Steps[step]!;
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
