using Auditrail.Core.Model;
using Auditrail.Detection.Responses;

namespace Auditrail.Server.Pipeline;

/// <summary>Where the pipeline stands in its start-up.</summary>
public enum PipelinePhase
{
    /// <summary>Not started, or reading its checkpoint.</summary>
    Starting,

    /// <summary>Replaying recent stored events through the stateful rules.</summary>
    WarmingUp,

    /// <summary>Publishing alerts committed before the last stop but perhaps not delivered.</summary>
    Republishing,

    /// <summary>Recovered: processing the write-ahead log.</summary>
    Running,

    /// <summary>Stopped, after a graceful stop or a failure (see <see cref="PipelineStatus.Failure"/>).</summary>
    Stopped,
}

/// <summary>
/// The pipeline's progress and counters, safe to read from any thread (readiness, <c>/metrics</c>, tests)
/// while the pipeline updates them. Counters count since this process started.
/// </summary>
public sealed class PipelineStatus
{
    private static readonly int StageCount = Enum.GetValues<AuditStage>().Length;
    private static readonly int OutcomeCount = Enum.GetValues<ResponseOutcome>().Length;

    private readonly long[] _ruleMatches;
    private readonly long[] _byStage = new long[StageCount];
    private readonly long[] _responses = new long[OutcomeCount];
    private long _processedSequence;
    private long _lastCommitTicks;
    private long _eventsReceived;
    private long _eventsProcessed;
    private long _badRecords;
    private long _alerts;
    private long _republished;
    private long _warmUpEvents;
    private long _stateKeys;
    private long _stateEvictions;
    private long _commits;
    private long _processTicks;
    private long _commitTicks;
    private int _phase;

    internal PipelineStatus(IReadOnlyList<string> ruleNames)
    {
        RuleNames = ruleNames;
        _ruleMatches = new long[ruleNames.Count];
    }

    public PipelinePhase Phase => (PipelinePhase)Volatile.Read(ref _phase);

    /// <summary>True once recovery (checkpoint, warm-up, re-publishing) is done and the log is being read.</summary>
    public bool Recovered => Phase == PipelinePhase.Running;

    /// <summary>The newest write-ahead-log sequence whose events and alerts are committed to the store; 0 before any.</summary>
    public long ProcessedSequence => Interlocked.Read(ref _processedSequence);

    /// <summary>When the last store commit finished (pipeline clock), or null before the first.</summary>
    public DateTimeOffset? LastCommit => Interlocked.Read(ref _lastCommitTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Why the pipeline stopped when it failed; null otherwise.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Events the write-ahead-log records said they held.</summary>
    public long EventsReceived => Interlocked.Read(ref _eventsReceived);

    /// <summary>Events decoded, run through detection and committed.</summary>
    public long EventsProcessed => Interlocked.Read(ref _eventsProcessed);

    /// <summary>Records inside write-ahead-log payloads that could not be read as audit events (logged with their place).</summary>
    public long BadRecords => Interlocked.Read(ref _badRecords);

    /// <summary>Alerts raised and committed.</summary>
    public long Alerts => Interlocked.Read(ref _alerts);

    /// <summary>Alerts read back from the store at start and published again.</summary>
    public long Republished => Interlocked.Read(ref _republished);

    /// <summary>Stored events replayed through the stateful rules at start.</summary>
    public long WarmUpEvents => Interlocked.Read(ref _warmUpEvents);

    /// <summary>Store transactions committed.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Time spent decoding, detecting and preparing rows (the parallel read and the ordered stage).</summary>
    public TimeSpan ProcessTime => TimeSpan.FromTicks(Interlocked.Read(ref _processTicks));

    /// <summary>Time spent in store transactions.</summary>
    public TimeSpan CommitTime => TimeSpan.FromTicks(Interlocked.Read(ref _commitTicks));

    /// <summary>Keys held by stateful rules after the last commit.</summary>
    public long StateKeys => Interlocked.Read(ref _stateKeys);

    /// <summary>Keys stateful rules dropped to bound memory.</summary>
    public long StateEvictions => Interlocked.Read(ref _stateEvictions);

    /// <summary>Rule names in rule-set order, matching <see cref="RuleMatches"/>.</summary>
    public IReadOnlyList<string> RuleNames { get; }

    /// <summary>Matches per rule (before dedup and stateful thresholds), in <see cref="RuleNames"/> order.</summary>
    public long[] RuleMatches() => [.. _ruleMatches.Select((_, i) => Interlocked.Read(ref _ruleMatches[i]))];

    /// <summary>Processed events per audit stage.</summary>
    public IReadOnlyList<(AuditStage Stage, long Events)> EventsByStage() =>
        [.. Enum.GetValues<AuditStage>().Select(s => (s, Interlocked.Read(ref _byStage[(int)s])))];

    /// <summary>Response actions per outcome.</summary>
    public IReadOnlyList<(ResponseOutcome Outcome, long Actions)> ResponseActions() =>
        [.. Enum.GetValues<ResponseOutcome>().Select(o => (o, Interlocked.Read(ref _responses[(int)o])))];

    internal void SetPhase(PipelinePhase phase) => Volatile.Write(ref _phase, (int)phase);

    internal void Fail(Exception failure)
    {
        Failure = failure;
        SetPhase(PipelinePhase.Stopped);
    }

    internal void AddTime(TimeSpan process, TimeSpan commit)
    {
        Interlocked.Add(ref _processTicks, process.Ticks);
        Interlocked.Add(ref _commitTicks, commit.Ticks);
    }

    internal void AddReceived(int events) => Interlocked.Add(ref _eventsReceived, events);

    internal void AddBadRecord() => Interlocked.Increment(ref _badRecords);

    internal void AddWarmUpEvent() => Interlocked.Increment(ref _warmUpEvents);

    internal void AddRepublished(int alerts) => Interlocked.Add(ref _republished, alerts);

    internal void AddRuleMatch(int ordinal) => Interlocked.Increment(ref _ruleMatches[ordinal]);

    internal void AddResponse(ResponseOutcome outcome) => Interlocked.Increment(ref _responses[(int)outcome]);

    /// <summary>The ordered stage's per-event counts of one batch, folded in once it is committed.</summary>
    internal void Committed(long sequence, DateTimeOffset at, long events, ReadOnlySpan<long> byStage, int alerts, long stateKeys, long stateEvictions)
    {
        Interlocked.Add(ref _eventsProcessed, events);
        for (var i = 0; i < byStage.Length; i++)
        {
            Interlocked.Add(ref _byStage[i], byStage[i]);
        }

        Interlocked.Add(ref _alerts, alerts);
        Interlocked.Exchange(ref _stateKeys, stateKeys);
        Interlocked.Exchange(ref _stateEvictions, stateEvictions);
        Interlocked.Increment(ref _commits);
        Interlocked.Exchange(ref _lastCommitTicks, at.UtcTicks);
        Interlocked.Exchange(ref _processedSequence, sequence);
    }

    /// <summary>The checkpoint read at start: what is already processed.</summary>
    internal void Resumed(long sequence) => Interlocked.Exchange(ref _processedSequence, sequence);
}
