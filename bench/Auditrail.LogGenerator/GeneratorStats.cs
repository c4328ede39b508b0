using System.Globalization;
using System.Text;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator;

/// <summary>
/// What the last <see cref="AuditLogGenerator.Write"/> produced, counted as each event was written, so tests
/// and benchmarks can check their own reading of the output against it.
/// </summary>
public sealed class GeneratorStats
{
    private readonly long[] _stages = new long[4];
    private readonly long[] _levels = new long[3];
    private readonly long[] _traffic = new long[Enum.GetValues<TrafficKind>().Length];
    private readonly long[] _attackEvents = new long[Enum.GetValues<AttackKind>().Length];
    private readonly long[] _attackScenarios = new long[Enum.GetValues<AttackKind>().Length];
    private readonly SortedDictionary<int, long> _codes = [];
    private readonly SortedDictionary<string, long> _verbs = new(StringComparer.Ordinal);

    /// <summary>Lines written.</summary>
    public long Events { get; private set; }

    /// <summary>Bytes written, newlines included, before any compression.</summary>
    public long Bytes { get; internal set; }

    /// <summary>Distinct auditIDs written (a multi-stage request counts once).</summary>
    public long Requests { get; private set; }

    /// <summary>stageTimestamp of the first and last event, as written.</summary>
    public DateTimeOffset? FirstTimestamp { get; private set; }

    public DateTimeOffset? LastTimestamp { get; private set; }

    /// <summary>Events per stage, keyed by the value of the <c>stage</c> field.</summary>
    public IReadOnlyDictionary<string, long> ByStage =>
        Enum.GetValues<AuditStage>().ToDictionary(s => s.ToString(), s => _stages[(int)s], StringComparer.Ordinal);

    /// <summary>Events per level, keyed by the value of the <c>level</c> field.</summary>
    public IReadOnlyDictionary<string, long> ByLevel =>
        Enum.GetValues<AuditLevel>().ToDictionary(l => l.ToString(), l => _levels[(int)l], StringComparer.Ordinal);

    /// <summary>Events per <c>responseStatus.code</c>; RequestReceived events have none and are not counted.</summary>
    public IReadOnlyDictionary<int, long> ByCode => new SortedDictionary<int, long>(_codes);

    public IReadOnlyDictionary<string, long> ByVerb => new SortedDictionary<string, long>(_verbs, StringComparer.Ordinal);

    public IReadOnlyDictionary<TrafficKind, long> ByTraffic =>
        Enum.GetValues<TrafficKind>().ToDictionary(k => k, k => _traffic[(int)k]);

    /// <summary>Events that belong to attacks, per scenario kind.</summary>
    public IReadOnlyDictionary<AttackKind, long> AttackEvents =>
        Enum.GetValues<AttackKind>().ToDictionary(k => k, k => _attackEvents[(int)k]);

    /// <summary>Attack scenarios that got at least one event into the output, per kind.</summary>
    public IReadOnlyDictionary<AttackKind, long> AttacksInjected =>
        Enum.GetValues<AttackKind>().ToDictionary(k => k, k => _attackScenarios[(int)k]);

    public long AttackEventCount => _traffic[(int)TrafficKind.Attack];

    internal void Record(AuditRequest request, AuditStage stage, long stageMicros, bool firstOfRequest, bool firstOfScenario)
    {
        Events++;
        _stages[(int)stage]++;
        _levels[(int)request.Level]++;
        _traffic[(int)request.Traffic]++;
        Increment(_verbs, request.Verb);
        if (stage != AuditStage.RequestReceived)
        {
            Increment(_codes, request.CodeAt(stage));
        }

        if (firstOfRequest)
        {
            Requests++;
        }

        if (request.Attack is { } attack)
        {
            _attackEvents[(int)attack]++;
            if (firstOfScenario)
            {
                _attackScenarios[(int)attack]++;
            }
        }

        var time = DateTimeOffset.UnixEpoch.AddTicks(stageMicros * 10);
        FirstTimestamp ??= time;
        LastTimestamp = time;
    }

    private static void Increment<TKey>(IDictionary<TKey, long> counts, TKey key)
    {
        counts.TryGetValue(key, out var count);
        counts[key] = count + 1;
    }

    /// <summary>A human-readable summary, the one the CLI prints on stderr.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"events {Events:N0}, requests {Requests:N0}, bytes {Bytes:N0} ({(Events == 0 ? 0 : Bytes / Events):N0} per event)");
        if (FirstTimestamp is { } first && LastTimestamp is { } last)
        {
            var seconds = Math.Max((last - first).TotalSeconds, 1e-6);
            text.AppendLine(culture, $"simulated {first:u} .. {last:u} ({last - first}), {Events / seconds:N1} events/s");
        }

        AppendShares(text, "traffic", ByTraffic.Select(p => (p.Key.ToString(), p.Value)));
        AppendShares(text, "stage", ByStage.Select(p => (p.Key, p.Value)));
        AppendShares(text, "level", ByLevel.Select(p => (p.Key, p.Value)));
        AppendShares(text, "verb", ByVerb.Select(p => (p.Key, p.Value)));
        AppendShares(text, "code", ByCode.Select(p => (p.Key.ToString(culture), p.Value)));
        AppendShares(text, "attack events", AttackEvents.Select(p => (p.Key.ToString(), p.Value)));
        AppendShares(text, "attacks injected", AttacksInjected.Select(p => (p.Key.ToString(), p.Value)), percent: false);
        return text.ToString();
    }

    private void AppendShares(StringBuilder text, string title, IEnumerable<(string Key, long Value)> counts, bool percent = true)
    {
        text.Append(title).Append(':');
        foreach (var (key, value) in counts)
        {
            text.Append(CultureInfo.InvariantCulture, $" {key} {value:N0}");
            if (percent)
            {
                text.Append(CultureInfo.InvariantCulture, $" ({(Events == 0 ? 0 : 100.0 * value / Events):0.##}%)");
            }
        }

        text.AppendLine();
    }
}
