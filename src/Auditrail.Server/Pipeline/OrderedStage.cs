using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Storage.Writing;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Pipeline;

/// <summary>
/// The stateful half, on one thread in log order: applies the matches (request dedup, thresholds and
/// other keyed state), names each alert after the record it came from, and keeps a detached copy of
/// each event for the store stage.
/// </summary>
internal sealed partial class OrderedStage : IOrderedEventHandler<RuleMatch[]>
{
    private static readonly int StageCount = Enum.GetValues<AuditStage>().Length;

    private readonly DetectionEngine _engine;
    private readonly PipelineStatus _status;
    private readonly ILogger _logger;
    private readonly Action<Alert> _emit;
    private readonly string _idPrefix;
    private WalBatch _batch = null!;
    private int _record;
    private long _sequence;
    private int _alertIndex;

    /// <param name="idPrefix">Put before every alert id: empty for the first log, <c>EPOCH.</c> for logs that replaced it.</param>
    public OrderedStage(DetectionEngine engine, PipelineStatus status, ILogger logger, string idPrefix)
    {
        (_engine, _status, _logger, _idPrefix) = (engine, status, logger, idPrefix);
        _emit = Emit; // one delegate for the pipeline's life, not one per event
    }

    /// <summary>The batch's alerts, each with the sequence of the record that raised it.</summary>
    public List<SequencedAlert> Alerts { get; private set; } = [];

    /// <summary>The batch's events, owning their bytes (the reader reuses its instances).</summary>
    public List<AuditEvent> Events { get; private set; } = [];

    public long[] EventsByStage { get; private set; } = [];

    /// <summary>Starts a batch; the lists of the previous one now belong to the store stage.</summary>
    public void Begin(WalBatch batch)
    {
        _batch = batch;
        _record = 0;
        _sequence = 0;
        _alertIndex = 0;
        Alerts = [];
        Events = new List<AuditEvent>((int)Math.Min(batch.Events, 1 << 20));
        EventsByStage = new long[StageCount];
    }

    public void OnEvent(AuditEvent auditEvent, in RecordLocation location, RuleMatch[] analysis)
    {
        _record = _batch.Locate(location.Line, _record);
        var sequence = _batch.Records[_record].Sequence;
        if (sequence != _sequence)
        {
            _sequence = sequence;
            _alertIndex = 0;
        }

        EventsByStage[(int)auditEvent.Stage]++;
        foreach (var match in analysis)
        {
            _status.AddRuleMatch(match.Rule.Ordinal);
        }

        _engine.Apply(auditEvent, analysis, _emit);
        Events.Add(auditEvent.Detach());
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic)
    {
        if (diagnostic.Severity != DiagnosticSeverity.Error)
        {
            return;
        }

        _status.AddBadRecord();
        var index = _batch.Locate(diagnostic.Line, _record);
        var record = _batch.Records[index];
        var line = diagnostic.Line > 0 ? diagnostic.Line - record.FirstLine + 1 : 0;
        LogBadRecord(_logger, record.Sequence, record.Source, line, diagnostic.JsonPath ?? "$", diagnostic.Code, diagnostic.Message);
    }

    /// <summary>
    /// The id is the record's sequence and the alert's place among that record's alerts: replaying the
    /// same records over the same warmed state raises the same alerts, so the id is stable across restarts.
    /// </summary>
    private void Emit(Alert alert) =>
        Alerts.Add(new SequencedAlert(_sequence, alert with { Id = FormattableString.Invariant($"{_idPrefix}{_sequence}-{_alertIndex++}") }));

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "write-ahead-log record {Sequence} ({Source}) line {Line} {JsonPath}: {Code} {Reason}; the record's other events are processed")]
    private static partial void LogBadRecord(ILogger logger, long sequence, string source, long line, string jsonPath, string code, string reason);
}
