using Auditrail.Core.Fields;
using Auditrail.Core.Identity;
using Auditrail.Core.Model;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Stateful;

namespace Auditrail.Detection.Engine;

/// <summary>
/// Runs a rule set over events in order: each event meets only the rules its stage, verb and resource
/// allow, a rule that matches several stages of one request alerts once, and stateful rules (threshold,
/// distinct, sequence, new terms, rate) keep bounded keyed state in event time.
/// </summary>
/// <remarks>
/// Not thread-safe. Detection has a stateless half (<see cref="RuleMatcher"/>, which may run on many
/// threads) and a stateful half (<see cref="Apply"/>: dedup and the keyed state), which must see
/// events in order on one thread. <see cref="Process"/> does both.
/// </remarks>
public sealed class DetectionEngine
{
    /// <summary>How many recent (rule, auditID) pairs are remembered to suppress a second alert for the same request.</summary>
    private const int DedupCapacity = 65_536;

    private readonly DetectionOptions _options;
    private readonly RuleMatcher _matcher;
    private readonly List<RuleMatch> _matches = [];
    private readonly StatefulDetector?[] _detectors;
    private readonly List<StatefulDetector> _stateful;
    private readonly Baseline _baseline = new();
    private readonly HashSet<(string Rule, string AuditId)> _recent = [];
    private readonly Queue<(string Rule, string AuditId)> _recentOrder = new();
    private long _watermark = long.MinValue;

    public DetectionEngine(RuleSet rules, string? cluster = null)
        : this(rules, DetectionOptions.Default with { Cluster = cluster })
    {
    }

    public DetectionEngine(RuleSet rules, DetectionOptions options)
    {
        _options = options;
        _matcher = new RuleMatcher(rules);
        _detectors = rules.Rules.Select(r => StatefulDetector.For(r, options)).ToArray();
        _stateful = _detectors.OfType<StatefulDetector>().ToList();
    }

    public long EventsSeen { get; private set; }

    /// <summary>Conditions evaluated by this engine's own matcher (see <see cref="Process"/>).</summary>
    public long Evaluations => _matcher.Evaluations;

    /// <summary>Keys dropped across stateful rules to bound memory.</summary>
    public long EvictedKeys => _stateful.Sum(d => d.Evicted);

    /// <summary>Keys held across stateful rules.</summary>
    public long StateKeys => _stateful.Sum(d => d.Keys);

    /// <summary>Matching events older than the newest by more than the lateness tolerance, left out of stateful rules.</summary>
    public long LateEvents { get; private set; }

    /// <summary>Matching events without a timestamp, which no stateful rule can place.</summary>
    public long UntimedEvents { get; private set; }

    /// <summary>The newest event time seen, or null before any.</summary>
    public DateTimeOffset? Watermark => _watermark == long.MinValue ? null : new DateTimeOffset(_watermark, TimeSpan.Zero);

    /// <summary>True when some rule learns a baseline (new terms or rate).</summary>
    public bool Learns => _stateful.Any(d => d is ILearningDetector);

    /// <summary>Matches and applies one event.</summary>
    public void Process(AuditEvent auditEvent, Action<Alert> emit)
    {
        _matches.Clear();
        _matcher.Match(auditEvent, _matches);

        // Most events match nothing: an empty array enumerates through the interface without boxing
        // an enumerator, where the list's would allocate one per event.
        Apply(auditEvent, _matches.Count == 0 ? [] : _matches, emit);
    }

    /// <summary>
    /// The stateful half: given the rules that matched <paramref name="auditEvent"/> (from any
    /// <see cref="RuleMatcher"/> over the same rule set), raises the alerts. Call in event order.
    /// </summary>
    public void Apply(AuditEvent auditEvent, IReadOnlyList<RuleMatch> matches, Action<Alert> emit)
    {
        EventsSeen++;
        var time = auditEvent.Time;
        if (time is { } t && t.UtcTicks > _watermark)
        {
            _watermark = t.UtcTicks;
        }

        foreach (var match in matches)
        {
            var rule = match.Rule;
            if (IsRepeat(rule, auditEvent))
            {
                continue;
            }

            if (_detectors[rule.Ordinal] is not { } detector)
            {
                if (!_options.LearnOnly)
                {
                    emit(CreateAlert(rule, auditEvent));
                }

                continue;
            }

            if (time is not { } eventTime)
            {
                UntimedEvents++;
                continue;
            }

            if (eventTime.UtcTicks < _watermark - _options.LateTolerance.Ticks)
            {
                LateEvents++;
                continue;
            }

            if (detector.Observe(auditEvent, eventTime, match.Steps) is { } firing && !_options.LearnOnly)
            {
                emit(CreateAlert(rule, auditEvent) with
                {
                    Count = firing.Count,
                    Window = firing.Window,
                    AuditIds = firing.AuditIds,
                    Detail = firing.Detail,
                });
            }
        }
    }

    /// <summary>Restores learned state saved by an earlier run; a missing file is a fresh start.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable baseline.</exception>
    public BaselineLoadReport LoadBaseline(string path) => _baseline.Load(path, _stateful);

    /// <summary>Writes what the learning rules know, expiring stale values as of the newest event.</summary>
    /// <param name="completeLearning">Marks every key as trained (after learning from logs known to be normal).</param>
    public void SaveBaseline(string path, bool completeLearning = false)
    {
        if (completeLearning)
        {
            foreach (var learner in _stateful.OfType<ILearningDetector>())
            {
                learner.CompleteLearning();
            }
        }

        _baseline.Save(path, _stateful, Watermark ?? DateTimeOffset.UnixEpoch);
    }

    /// <summary>Keys and evictions per stateful rule, for summaries.</summary>
    public IEnumerable<(string Rule, string Kind, int Keys, long Evicted, bool Learns)> StateSummary() =>
        _stateful.Select(d => (d.Rule.Definition.Name, d.GetType().Name.Replace("Detector", string.Empty, StringComparison.Ordinal), d.Keys, d.Evicted, d is ILearningDetector));

    /// <summary>
    /// True for a second match of one request: another stage of it, or the same record twice (rotated
    /// or overlapping log files). Either way the request has been judged already.
    /// </summary>
    private bool IsRepeat(CompiledRule rule, AuditEvent auditEvent)
    {
        if (auditEvent.AuditId is not { } auditId)
        {
            return false;
        }

        var key = (rule.Definition.Name, auditId);
        if (!_recent.Add(key))
        {
            return true;
        }

        _recentOrder.Enqueue(key);
        if (_recentOrder.Count > DedupCapacity)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }

        return false;
    }

    private Alert CreateAlert(CompiledRule rule, AuditEvent e) => new()
    {
        Rule = rule.Definition.Name,
        Severity = rule.Definition.Severity,
        Time = e.Time,
        Cluster = e.Cluster ?? _options.Cluster,
        Identity = FieldCatalog.EffectiveName(e),
        IdentityKind = FieldCatalog.Identify(e).Kind.ToWireName(),
        Impersonator = e.HasImpersonation ? e.UserName : null,
        Target = FieldCatalog.Target(e),
        Verb = e.Verb,
        SourceIp = e.SourceIp,
        Message = rule.Output.Render(e),
        Tags = rule.Definition.Tags,
        AuditIds = e.AuditId is { } id ? [id] : [],
    };
}
