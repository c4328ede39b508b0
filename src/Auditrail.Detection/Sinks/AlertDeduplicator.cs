using Auditrail.Detection.Engine;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// Folds alerts with the same rule, identity and target whose event times fall within one window of the first
/// into that first alert, adding their counts. A group is released when an alert of the same key arrives past
/// the window (event time), or when the window has passed on the injected clock since the group opened — the
/// second case is what releases the last group of a burst when no further events come. Thread-safe.
/// </summary>
internal sealed class AlertDeduplicator
{
    // Enough audit IDs to look a burst up by, without a noisy key growing one alert without bound.
    private const int MaxAuditIds = 20;

    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Rule, string? Identity, string? Target), Group> _groups = [];
    private readonly Lock _lock = new();

    // Bounds memory when a flood has many distinct keys (e.g. one identity touching every Secret): past this many
    // open groups, new keys pass through unfolded rather than being held.
    private readonly int _maxGroups;

    public AlertDeduplicator(TimeSpan window, TimeProvider time, int maxGroups = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxGroups);
        _window = window;
        _time = time;
        _maxGroups = maxGroups;
    }

    /// <summary>Adds an alert; returns what is ready to send now — the previous group of its key when this one fell outside that group's window, or the alert itself when too many groups are open — else null. Sets <paramref name="merged"/> when the alert was folded.</summary>
    public Alert? Add(Alert alert, out bool merged)
    {
        var key = (alert.Rule, alert.Identity, alert.Target);
        var eventTime = alert.Time ?? _time.GetUtcNow();
        lock (_lock)
        {
            if (_groups.TryGetValue(key, out var group))
            {
                // Event time, not arrival time: a replayed hour of logs dedups the same as live traffic.
                var offset = eventTime - group.FirstEventTime;
                if (offset >= TimeSpan.Zero && offset < _window)
                {
                    group.Merge(alert);
                    merged = true;
                    return null;
                }

                _groups[key] = new Group(alert, eventTime, _time.GetUtcNow() + _window, _window);
                merged = false;
                return group.ToAlert();
            }

            merged = false;
            if (_groups.Count >= _maxGroups)
            {
                return alert;
            }

            _groups[key] = new Group(alert, eventTime, _time.GetUtcNow() + _window, _window);
            return null;
        }
    }

    /// <summary>Releases the groups whose window has passed on the clock; all of them when <paramref name="all"/> (shutdown).</summary>
    public List<Alert> Release(bool all)
    {
        var now = _time.GetUtcNow();
        var released = new List<Alert>();
        lock (_lock)
        {
            foreach (var (key, group) in _groups)
            {
                if (all || group.ReleaseAt <= now)
                {
                    released.Add(group.ToAlert());
                    _groups.Remove(key);
                }
            }
        }

        return released;
    }

    private sealed class Group(Alert first, DateTimeOffset firstEventTime, DateTimeOffset releaseAt, TimeSpan window)
    {
        private readonly List<string> _auditIds = [.. first.AuditIds.Take(MaxAuditIds)];
        private int _count = first.Count;

        public DateTimeOffset FirstEventTime { get; } = firstEventTime;

        public DateTimeOffset ReleaseAt { get; } = releaseAt;

        public void Merge(Alert alert)
        {
            _count += alert.Count;
            foreach (var id in alert.AuditIds)
            {
                if (_auditIds.Count >= MaxAuditIds)
                {
                    break;
                }

                _auditIds.Add(id);
            }
        }

        // A stateful alert keeps its own window; a folded one says over what window its count was gathered.
        public Alert ToAlert() => _count == first.Count ? first : first with { Count = _count, AuditIds = [.. _auditIds], Window = first.Window ?? window };
    }
}
