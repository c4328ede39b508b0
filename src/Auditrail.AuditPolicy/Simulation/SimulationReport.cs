using Auditrail.AuditPolicy.Needs;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Simulation;

/// <summary>A number of events and the bytes they take.</summary>
public record struct Volume(long Events, long Bytes)
{
    public void Add(long bytes)
    {
        Events++;
        Bytes += bytes;
    }
}

/// <summary>What one rule of the policy (or no rule: index -1) decided: the events it saw, and what it keeps of them.</summary>
public sealed record RuleVolume(int RuleIndex)
{
    public Volume Before;
    public Volume After;
}

/// <summary>
/// A source of traffic: who (user.username; kubelets as one, system:node:*), what (verb) and on what (resource.group/subresource, or the
/// path of a non-resource request), with the rule that decided its first event.
/// </summary>
public readonly record struct SourceKey(string User, string Verb, string Target);

public sealed record SourceVolume(SourceKey Key, int RuleIndex)
{
    public Volume Before;
    public Volume After;
}

/// <summary>Why a needed event was lost.</summary>
public enum Loss
{
    /// <summary>The policy does not log the request (None).</summary>
    Dropped,

    /// <summary>The policy logs the request but omits every stage the rule reads.</summary>
    StageOmitted,

    /// <summary>The policy logs the request below the level the rule needs (no body).</summary>
    TooLow,
}

/// <summary>
/// How a detection rule fares under the policy: the events (or, for a new-terms rule, the distinct
/// terms) it needs, how many the policy keeps at the level it needs, and why the others are lost.
/// </summary>
public sealed record RuleCoverage(RuleNeed Need)
{
    public long Needed { get; internal set; }
    public long Kept { get; internal set; }
    public long Dropped { get; internal set; }
    public long StageOmitted { get; internal set; }
    public long TooLow { get; internal set; }

    /// <summary>One lost event, to look at: its auditID and target.</summary>
    public string? Example { get; internal set; }

    public long Lost => Needed - Kept;
}

/// <summary>Everything a simulation found; sizes are log-backend lines in bytes.</summary>
public sealed record SimulationReport
{
    public required Volume Before { get; init; }
    public required Volume After { get; init; }

    /// <summary>By the level the events were recorded at.</summary>
    public required IReadOnlyDictionary<AuditLevel, Volume> BeforeByLevel { get; init; }

    /// <summary>By the level the policy gives them; None counts the events it drops (0 bytes).</summary>
    public required IReadOnlyDictionary<AuditLevel, Volume> AfterByLevel { get; init; }

    /// <summary>Events the policy logs but not at their stage (omitStages).</summary>
    public required long StageOmitted { get; init; }

    /// <summary>Per rule of the policy, in order, then requests no rule matched (index -1).</summary>
    public required IReadOnlyList<RuleVolume> ByRule { get; init; }

    /// <summary>The sources with the most bytes after the policy.</summary>
    public required IReadOnlyList<SourceVolume> NoisiestSources { get; init; }

    /// <summary>Per detection rule; empty when no rules were given.</summary>
    public required IReadOnlyList<RuleCoverage> Coverage { get; init; }

    /// <summary>Events the policy would log at a higher level than they were recorded at: their bytes are counted as recorded, a lower bound.</summary>
    public required long Raised { get; init; }

    /// <summary>
    /// Requests the policy would also log at RequestReceived although the log holds no such event for
    /// them (its policy omitted the stage): not in the totals, estimated at their metadata size.
    /// </summary>
    public required Volume MissingRequestReceived { get; init; }

    public IEnumerable<RuleCoverage> BlindSpots => Coverage.Where(c => c.Lost > 0);
}
