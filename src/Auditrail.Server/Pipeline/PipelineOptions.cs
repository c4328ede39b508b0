using Auditrail.Detection.Responses;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Sinks;
using Auditrail.Detection.Stateful;

namespace Auditrail.Server.Pipeline;

/// <summary>What the live pipeline detects with, where its alerts go, and how it batches.</summary>
public sealed record PipelineOptions
{
    /// <summary>
    /// The cap on the default <see cref="WarmUp"/>: one hour. Counting windows are minutes long; rules that
    /// learn baselines over days (new terms, rate) are not rebuilt from raw history at every restart, which
    /// would replay days of events before the server is ready.
    /// </summary>
    public static readonly TimeSpan MaxDefaultWarmUp = TimeSpan.FromHours(1);

    /// <summary>
    /// The least default <see cref="WarmUp"/>: ten minutes. Replaying recent history also refills the
    /// engine's (rule, auditID) memory, so a batch delivered again after a restart (kube-apiserver resends
    /// one whose answer it lost; a tailer re-appends a batch it had not checkpointed) raises no second alert.
    /// The apiserver's webhook retries give up within minutes.
    /// </summary>
    public static readonly TimeSpan RedeliveryWindow = TimeSpan.FromMinutes(10);

    private TimeSpan? _warmUp;

    public required RuleSet Rules { get; init; }

    /// <summary>Stateful limits (keys, lateness) and the cluster name for events that carry none.</summary>
    public DetectionOptions Detection { get; init; } = DetectionOptions.Default;

    /// <summary>Where alerts go, each with its own queue, filter, dedup, rate limit and retries.</summary>
    public IReadOnlyList<(IAlertSink Sink, SinkOptions Options)> Sinks { get; init; } = [];

    /// <summary>Automated responses to fresh alerts; null for none.</summary>
    public ResponseEngine? Responses { get; init; }

    /// <summary>Threads that decode, redact and match (the stateless half); stateful rules run on one more, in order.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The longest a processed event waits to be committed (and its alerts to be published) while more
    /// keep arriving. An idle write-ahead log is committed at once, so this bounds latency under load only.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Events per store transaction at most: under a backlog, large enough that a commit's fixed cost is
    /// small, small enough that memory stays bounded and commits stay frequent.
    /// </summary>
    public int MaxEventsPerCommit { get; init; } = 20_000;

    /// <summary>
    /// How much stored history (by event time, back from the newest stored event) is replayed through the
    /// stateful rules at start, with alerts suppressed, so windows that straddle a restart still fire.
    /// Default: the longest window of the rules' thresholds, distinct counts, sequences and learning
    /// periods, at least <see cref="RedeliveryWindow"/> and at most <see cref="MaxDefaultWarmUp"/>.
    /// </summary>
    public TimeSpan WarmUp
    {
        get => _warmUp ?? DefaultWarmUp(Rules);
        init => _warmUp = value;
    }

    /// <summary>How long a graceful stop waits for sinks and responses to drain before giving up on them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest window any stateful rule keeps, between <see cref="RedeliveryWindow"/> and <see cref="MaxDefaultWarmUp"/>.</summary>
    public static TimeSpan DefaultWarmUp(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var longest = TimeSpan.Zero;
        foreach (var rule in rules.Rules)
        {
            var definition = rule.Definition;
            TimeSpan[] windows =
            [
                definition.Threshold?.Window ?? TimeSpan.Zero,
                definition.Distinct?.Window ?? TimeSpan.Zero,
                definition.Sequence?.Within ?? TimeSpan.Zero,
                definition.NewTerms?.LearnFor ?? TimeSpan.Zero,
                definition.Rate?.LearnFor ?? TimeSpan.Zero,
            ];
            longest = windows.Append(longest).Max();
        }

        return longest > MaxDefaultWarmUp ? MaxDefaultWarmUp : longest < RedeliveryWindow ? RedeliveryWindow : longest;
    }
}
