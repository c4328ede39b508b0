using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// Sliding windows in event time for threshold rules: per key (the values of the rule's <c>by</c>
/// fields), the recent matches. At the threshold it alerts once and starts over, so a burst of 50
/// failed logins is five alerts of ten, not forty-one.
/// </summary>
internal sealed class ThresholdDetector(CompiledRule rule, RuleThreshold threshold, int maxKeys) : StatefulDetector(rule)
{
    private readonly KeyedStateTable<HitList> _windows = new(maxKeys);
    private readonly GroupKey _key = new(threshold.By);

    public override int Keys => _windows.Count;

    public override long Evicted => _windows.Evicted;

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        ref var hits = ref _windows.Touch(_key.Of(auditEvent), out _);
        hits.Add(new Hit(time.UtcTicks, auditEvent.AuditId));
        hits.DropOlderThan(hits.NewestTicks - threshold.Window.Ticks);
        if (hits.Count < threshold.Count)
        {
            return null;
        }

        var count = hits.Count;
        var ids = hits.AuditIds();
        hits.Clear();
        return new StatefulFiring(count, threshold.Window, ids, $"{count} matching events within {Durations.Format(threshold.Window)}");
    }
}

/// <summary>
/// Hits kept in time order. A struct over an <see cref="InlineList{T}"/>, so a key with one hit costs
/// no object at all: with a million keys, every header counts. Use it through a <c>ref</c>.
/// </summary>
internal struct HitList
{
    private InlineList<Hit> _hits;

    public readonly int Count => _hits.Count;

    public readonly long NewestTicks => _hits[_hits.Count - 1].Ticks;

    /// <summary>Inserts in time order: a late event within the window lands where it belongs.</summary>
    public void Add(Hit hit)
    {
        _hits.Add(hit);
        var index = _hits.Count - 1;
        while (index > 0 && _hits[index - 1].Ticks > hit.Ticks)
        {
            _hits[index] = _hits[index - 1];
            index--;
        }

        _hits[index] = hit;
    }

    /// <summary>Keeps only hits strictly newer than <paramref name="ticks"/>.</summary>
    public void DropOlderThan(long ticks) => _hits.RemoveWhere(static (hit, limit) => hit.Ticks <= limit, ticks);

    public void Clear() => _hits.Clear();

    public readonly string[] AuditIds()
    {
        var ids = new List<string>(Count);
        for (var i = 0; i < Count; i++)
        {
            if (_hits[i].AuditId is { } id)
            {
                ids.Add(id);
            }
        }

        return [.. ids];
    }
}

/// <summary>Durations as rule authors write them (30s, 5m, 1h, 7d).</summary>
internal static class Durations
{
    public static string Format(TimeSpan span) => span switch
    {
        _ when span.Ticks % TimeSpan.TicksPerDay == 0 => $"{span.Ticks / TimeSpan.TicksPerDay}d",
        _ when span.Ticks % TimeSpan.TicksPerHour == 0 => $"{span.Ticks / TimeSpan.TicksPerHour}h",
        _ when span.Ticks % TimeSpan.TicksPerMinute == 0 => $"{span.Ticks / TimeSpan.TicksPerMinute}m",
        _ => $"{span.TotalSeconds:0.###}s",
    };
}
