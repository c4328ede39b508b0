using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Stateful;
using Auditrail.Storage.Queries;

namespace Auditrail.Storage.Backtesting;

/// <summary>How many alerts one rule would have raised.</summary>
public sealed record RuleAlertCount(string Rule, Severity Severity, long Alerts);

/// <summary>What a rule set would have raised over stored history.</summary>
public sealed record BacktestReport(long EventsReplayed, long BadRecords, IReadOnlyList<RuleAlertCount> ByRule, IReadOnlyList<Alert> Alerts);

/// <summary>
/// Replays stored events through a detection engine in event time, as <c>scan</c> would have seen
/// them. Stored events are re-read from their JSON by the same reader as any log, so rules see the
/// same fields; the store keeps each request's most complete stage, which is what rules watch by
/// default (ResponseComplete and Panic): a rule that asks for RequestReceived only sees requests that
/// never completed in the log.
/// </summary>
public static class Backtester
{
    /// <summary>Events re-parsed per reader call: one JSON-lines buffer instead of one stream per event.</summary>
    private const int EventsPerChunk = 4096;

    public static BacktestReport Run(IEventStore store, RuleSet rules, DetectionOptions options, QueryWindow window, Action<ReadDiagnostic>? diagnostic = null, CancellationToken cancellationToken = default)
    {
        var engine = new DetectionEngine(rules, options);
        var alerts = new List<Alert>();
        var handler = new ReplayHandler(engine, alerts.Add, diagnostic);
        var reader = new AuditLogReader();
        var chunk = new MemoryStream();
        var inChunk = 0;
        long bad = 0;
        foreach (var json in store.ReadEventsInTimeOrder(window))
        {
            chunk.Write(json);
            chunk.WriteByte((byte)'\n');
            if (++inChunk == EventsPerChunk)
            {
                bad += Replay(reader, chunk, handler, cancellationToken);
                inChunk = 0;
            }
        }

        bad += Replay(reader, chunk, handler, cancellationToken);
        var byRule = alerts.GroupBy(a => (a.Rule, a.Severity))
            .Select(g => new RuleAlertCount(g.Key.Rule, g.Key.Severity, g.Count()))
            .OrderByDescending(r => r.Severity).ThenByDescending(r => r.Alerts).ThenBy(r => r.Rule, StringComparer.Ordinal)
            .ToList();
        return new BacktestReport(engine.EventsSeen, bad, byRule, alerts);
    }

    private static long Replay(AuditLogReader reader, MemoryStream chunk, ReplayHandler handler, CancellationToken cancellationToken)
    {
        if (chunk.Length == 0)
        {
            return 0;
        }

        var counters = reader.ReadBytes(chunk.GetBuffer().AsMemory(0, (int)chunk.Length), "store", handler, cancellationToken);
        chunk.SetLength(0);
        return counters.Errors;
    }

    private sealed class ReplayHandler(DetectionEngine engine, Action<Alert> emit, Action<ReadDiagnostic>? diagnostic) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => engine.Process(auditEvent, emit);

        public void OnDiagnostic(ReadDiagnostic value) => diagnostic?.Invoke(value);
    }
}
