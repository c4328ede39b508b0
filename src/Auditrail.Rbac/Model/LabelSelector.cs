namespace Auditrail.Rbac.Model;

/// <summary>A set-based label requirement: <c>key In (a, b)</c>, <c>NotIn</c>, <c>Exists</c>, <c>DoesNotExist</c>.</summary>
public sealed record LabelSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values);

/// <summary>
/// A metav1 LabelSelector as used by <c>aggregationRule.clusterRoleSelectors</c>: every matchLabels
/// pair and every expression must hold. An empty selector selects every object, as
/// <c>metav1.LabelSelectorAsSelector</c> makes it.
/// </summary>
public sealed record LabelSelector
{
    public IReadOnlyDictionary<string, string> MatchLabels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<LabelSelectorRequirement> MatchExpressions { get; init; } = [];

    public override string ToString()
    {
        var parts = MatchLabels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")
            .Concat(MatchExpressions.Select(e => e.Values.Count == 0 ? $"{e.Operator}({e.Key})" : $"{e.Key} {e.Operator} ({string.Join(", ", e.Values)})"));
        var text = string.Join(", ", parts);
        return text.Length == 0 ? "(everything)" : text;
    }
}
