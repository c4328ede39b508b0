using Auditrail.Core.Model;

namespace Auditrail.Detection.Rules;

/// <summary>A named list of values, used in conditions as <c>field in list_name</c>.</summary>
public sealed record RuleList(string Name, IReadOnlyList<string> Items, SourceLocation Location);

/// <summary>A named condition fragment, used in conditions by its name.</summary>
public sealed record RuleMacro(string Name, string Condition, SourceLocation Location, SourceLocation ConditionLocation);

/// <summary>
/// A structured allow-list: an event matching all <see cref="Fields"/> against one row of
/// <see cref="Values"/> is not alerted on. Users tune rules with these instead of editing conditions.
/// </summary>
public sealed record RuleException(string Name, IReadOnlyList<string> Fields, IReadOnlyList<IReadOnlyList<string>> Values, SourceLocation Location)
{
    /// <summary>
    /// How each field is compared with its value (<see cref="ExceptionComparisons"/>), one per field;
    /// null compares every field for equality.
    /// </summary>
    public IReadOnlyList<string>? Comps { get; init; }

    /// <summary>The comparison for the field at <paramref name="index"/>.</summary>
    public string CompAt(int index) => Comps is { } comps ? comps[index] : "=";
}

/// <summary>
/// Makes a rule stateful: it alerts when at least <see cref="Count"/> matching events with the same
/// values of <see cref="By"/> fall within <see cref="Window"/> of event time (≥10 failed logins per
/// source IP in 5 minutes).
/// </summary>
public sealed record RuleThreshold(int Count, TimeSpan Window, IReadOnlyList<string> By);

/// <summary>
/// Alerts when at least <see cref="Count"/> different values of <see cref="Field"/> are seen for the
/// same <see cref="By"/> key within <see cref="Window"/> (three Secret names read by one identity in a
/// minute is enumeration).
/// </summary>
public sealed record RuleDistinct(string Field, int Count, TimeSpan Window, IReadOnlyList<string> By);

/// <summary>One step of a sequence: a named condition.</summary>
public sealed record SequenceStep(string Name, string Condition, SourceLocation ConditionLocation);

/// <summary>
/// Alerts when events matching each of <see cref="Steps"/>, in that order of event time and with the
/// same <see cref="By"/> key, all fall within <see cref="Within"/> (an RBAC binding change, then a
/// workload created by the same user within five minutes).
/// </summary>
public sealed record RuleSequence(IReadOnlyList<SequenceStep> Steps, TimeSpan Within, IReadOnlyList<string> By);

/// <summary>
/// Learns, per <see cref="By"/> key, the values of <see cref="Fields"/> (taken together as one term)
/// and alerts on a term never seen once the key's learning period (<see cref="LearnFor"/> from its first
/// event, or a baseline trained on old logs) is over. Terms unseen for <see cref="ExpireAfter"/> are forgotten.
/// </summary>
public sealed record RuleNewTerms(IReadOnlyList<string> Fields, IReadOnlyList<string> By, TimeSpan LearnFor, TimeSpan ExpireAfter);

/// <summary>
/// Learns, per <see cref="By"/> key, how many matching events each hour of the day usually brings, and
/// alerts when the current hour exceeds <see cref="Factor"/> times the usual count and at least
/// <see cref="MinCount"/> events, once the key has <see cref="LearnFor"/> of history.
/// </summary>
public sealed record RuleRate(IReadOnlyList<string> By, double Factor, int MinCount, TimeSpan LearnFor);

/// <summary>A detection rule as written, after appends and overrides across files are applied.</summary>
public sealed record RuleDefinition
{
    public required string Name { get; init; }
    public string Description { get; init; } = string.Empty;
    public Severity Severity { get; init; } = Severity.Medium;
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Stages the rule considers; by default the final ones, so one request never alerts twice.</summary>
    public IReadOnlyList<AuditStage> Stages { get; init; } = [AuditStage.ResponseComplete, AuditStage.Panic];

    public required string Condition { get; init; }
    public IReadOnlyList<RuleException> Exceptions { get; init; } = [];

    /// <summary>Null for a rule that alerts on every matching event; at most one stateful part is set.</summary>
    public RuleThreshold? Threshold { get; init; }

    public RuleDistinct? Distinct { get; init; }
    public RuleSequence? Sequence { get; init; }
    public RuleNewTerms? NewTerms { get; init; }
    public RuleRate? Rate { get; init; }

    /// <summary>True when the rule keeps keyed state between events.</summary>
    public bool IsStateful => Threshold is not null || Distinct is not null || Sequence is not null || NewTerms is not null || Rate is not null;
    public string Output { get; init; } = string.Empty;
    public bool Enabled { get; init; } = true;
    public required SourceLocation Location { get; init; }
    public required SourceLocation ConditionLocation { get; init; }
}
