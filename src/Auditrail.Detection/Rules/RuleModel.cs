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
public sealed record RuleException(string Name, IReadOnlyList<string> Fields, IReadOnlyList<IReadOnlyList<string>> Values, SourceLocation Location);

/// <summary>
/// Makes a rule stateful: it alerts when at least <see cref="Count"/> matching events with the same
/// values of <see cref="By"/> fall within <see cref="Window"/> of event time (≥10 failed logins per
/// source IP in 5 minutes).
/// </summary>
public sealed record RuleThreshold(int Count, TimeSpan Window, IReadOnlyList<string> By);

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

    /// <summary>Null for a rule that alerts on every matching event.</summary>
    public RuleThreshold? Threshold { get; init; }
    public string Output { get; init; } = string.Empty;
    public bool Enabled { get; init; } = true;
    public required SourceLocation Location { get; init; }
    public required SourceLocation ConditionLocation { get; init; }
}
