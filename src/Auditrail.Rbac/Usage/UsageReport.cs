using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Usage;

/// <summary>What one subject used of what one binding grants it.</summary>
public sealed record BindingUsage(RbacBinding Binding, RbacRole? Role, IReadOnlyList<RuleUsage> Rules)
{
    public bool IsUsed => Rules.Any(r => r.IsUsed);

    public long Requests => Rules.Sum(r => r.Requests);

    /// <summary>Used cells over all cells of every rule, 0 to 1 (0 when the role is missing or empty).</summary>
    public double FractionUsed
    {
        get
        {
            var total = Rules.Sum(r => r.TotalCells);
            return total == 0 ? 0 : (double)Rules.Sum(r => r.UsedCells) / total;
        }
    }
}

/// <summary>
/// One subject bound somewhere in the RBAC, how many logged requests it made (for a group, requests by
/// its members) and what it used of each binding. A subject with no request at all is listed too.
/// </summary>
public sealed record SubjectUsage(RbacSubject Subject, long Requests, DateTimeOffset? LastSeen, IReadOnlyList<BindingUsage> Bindings)
{
    /// <summary>A ServiceAccount's namespace is the effective one (a subject without a namespace takes its RoleBinding's).</summary>
    public string Name => Subject.Describe();
}

/// <summary>What a review should consider removing.</summary>
public enum UsageFindingKind
{
    /// <summary>No subject of the binding used anything it grants: delete the binding.</summary>
    UnusedBinding,

    /// <summary>The binding is used, but not by this subject: remove the subject from it.</summary>
    UnusedSubject,

    /// <summary>A rule nobody used through any binding of its role: remove the rule.</summary>
    UnusedRule,
}

/// <summary>One candidate for removal, with the object it is about and why.</summary>
public sealed record UsageFinding(UsageFindingKind Kind, string Object, string Subject, string Message);

/// <summary>The result of <see cref="UsageAnalyzer"/>: per subject, per binding, per rule, and the candidates for removal.</summary>
public sealed record UsageReport(
    DateTimeOffset? Since,
    DateTimeOffset? Until,
    long RequestsConsidered,
    long RequestsByUnboundIdentities,
    IReadOnlyList<SubjectUsage> Subjects,
    IReadOnlyList<UsageFinding> Findings);
