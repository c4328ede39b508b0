using System.Text.RegularExpressions;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// Which alerts one sink wants: at least a severity, rules by name or glob (<c>*</c>, <c>?</c>), and any of a set
/// of tags. An empty list means "no restriction" so a sink with no filter receives everything.
/// </summary>
public sealed class AlertFilter
{
    private readonly Regex[] _rulePatterns;
    private readonly HashSet<string> _tags;

    /// <summary>Builds a filter; <paramref name="rules"/> are exact names or globs matched against the whole rule name.</summary>
    public AlertFilter(Severity minimumSeverity = Severity.Info, IEnumerable<string>? rules = null, IEnumerable<string>? tags = null)
    {
        MinimumSeverity = minimumSeverity;
        _rulePatterns = (rules ?? []).Select(GlobToRegex).ToArray();
        _tags = new HashSet<string>(tags ?? [], StringComparer.Ordinal);
    }

    /// <summary>A filter that lets every alert through.</summary>
    public static AlertFilter All { get; } = new();

    /// <summary>Alerts below this severity are not sent to the sink.</summary>
    public Severity MinimumSeverity { get; }

    /// <summary>Whether the sink wants <paramref name="alert"/>.</summary>
    public bool Matches(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Severity < MinimumSeverity)
        {
            return false;
        }

        if (_rulePatterns.Length > 0 && !_rulePatterns.Any(pattern => pattern.IsMatch(alert.Rule)))
        {
            return false;
        }

        return _tags.Count == 0 || alert.Tags.Any(_tags.Contains);
    }

    // Rule names are free text (spaces, parentheses), so everything but the two wildcards is escaped.
    private static Regex GlobToRegex(string glob)
    {
        var pattern = "^" + Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
