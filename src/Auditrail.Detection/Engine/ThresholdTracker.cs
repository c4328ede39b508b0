using Auditrail.Core.Fields;
using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Engine;

/// <summary>
/// Sliding windows in event time for threshold rules: per rule and key (the values of the rule's
/// <c>by</c> fields), the times of recent matches. At the threshold it alerts once and starts over, so
/// a burst of 50 failed logins is five alerts of ten, not forty. Memory is bounded: past
/// <see cref="MaxKeys"/> keys, the least recently seen are dropped and counted.
/// </summary>
internal sealed class ThresholdTracker(int maxKeys = ThresholdTracker.DefaultMaxKeys)
{
    public const int DefaultMaxKeys = 100_000;

    private readonly Dictionary<(string Rule, string Key), Window> _windows = [];
    private readonly LinkedList<(string Rule, string Key)> _recency = new();

    public int MaxKeys { get; } = maxKeys;

    /// <summary>Keys dropped to stay within <see cref="MaxKeys"/>.</summary>
    public long Evicted { get; private set; }

    /// <summary>Matches without a timestamp, which no window can hold.</summary>
    public long Untimed { get; private set; }

    private sealed class Window
    {
        public readonly List<(DateTimeOffset Time, string? AuditId)> Hits = [];
        public LinkedListNode<(string Rule, string Key)> Node = null!;
    }

    /// <summary>Records a match; returns the hits that complete a window, or null while below the threshold.</summary>
    public IReadOnlyList<(DateTimeOffset Time, string? AuditId)>? Observe(CompiledRule rule, RuleThreshold threshold, AuditEvent auditEvent)
    {
        if (auditEvent.Time is not { } time)
        {
            Untimed++;
            return null;
        }

        var key = (rule.Definition.Name, KeyOf(threshold, auditEvent));
        if (!_windows.TryGetValue(key, out var window))
        {
            window = new Window();
            window.Node = _recency.AddLast(key);
            _windows[key] = window;
            EvictIfFull();
        }
        else
        {
            _recency.Remove(window.Node);
            _recency.AddLast(window.Node);
        }

        // Out-of-order events within the window are placed where they belong; older ones no longer count.
        var hits = window.Hits;
        var index = hits.FindLastIndex(h => h.Time <= time) + 1;
        hits.Insert(index, (time, auditEvent.AuditId));
        var newest = hits[^1].Time;
        hits.RemoveAll(h => h.Time <= newest - threshold.Window);
        if (hits.Count < threshold.Count)
        {
            return null;
        }

        var completed = hits.ToArray();
        hits.Clear();
        return completed;
    }

    private void EvictIfFull()
    {
        while (_windows.Count > MaxKeys && _recency.First is { } oldest)
        {
            _recency.RemoveFirst();
            _windows.Remove(oldest.Value);
            Evicted++;
        }
    }

    /// <summary>The values of the grouping fields, joined with a separator no field value contains.</summary>
    private static string KeyOf(RuleThreshold threshold, AuditEvent auditEvent) =>
        string.Join('\u001f', threshold.By.Select(name => FieldCatalog.Find(name)?.Extract(auditEvent) switch
        {
            null => "<NA>",
            string text => text,
            IEnumerable<string> list => string.Join(',', list),
            var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "<NA>",
        }));
}
