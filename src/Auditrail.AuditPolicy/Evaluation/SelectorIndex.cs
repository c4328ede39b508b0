using Auditrail.AuditPolicy.Model;

namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// One list selector of the policy (users, userGroups, verbs, namespaces): for every value some rule
/// lists, the rules a request with that value passes; any other value passes only the rules that do
/// not constrain the selector. One lookup per event, whatever the number of rules.
/// </summary>
internal sealed class SelectorIndex
{
    private readonly Utf8Map<ulong[]> _byValue = new();

    public SelectorIndex(IReadOnlyList<PolicyRule> rules, int words, Func<PolicyRule, IReadOnlyList<string>> values)
    {
        Unconstrained = RuleMask.Of(words, rules.Where(r => values(r).Count == 0).Select(r => r.Index));
        Constrained = RuleMask.Of(words, rules.Where(r => values(r).Count > 0).Select(r => r.Index));
        IsUsed = Constrained.Any(w => w != 0);
        foreach (var rule in rules)
        {
            foreach (var value in values(rule))
            {
                RuleMask.Set(_byValue.GetOrAdd(value, () => (ulong[])Unconstrained.Clone()), rule.Index);
            }
        }
    }

    /// <summary>Rules that do not use this selector: every request passes them.</summary>
    public ulong[] Unconstrained { get; }

    /// <summary>Rules that do; a request without the attribute (no user) passes none of them.</summary>
    public ulong[] Constrained { get; }

    /// <summary>Whether any rule uses the selector: if none does, the attribute need not even be read.</summary>
    public bool IsUsed { get; }

    /// <summary>The rules a request whose attribute has this value passes.</summary>
    public ReadOnlySpan<ulong> Pass(ReadOnlySpan<byte> value) => _byValue.TryGetValue(value, out var mask) ? mask : Unconstrained;

    /// <summary>Adds the rules that list <paramref name="value"/> to <paramref name="target"/> (for attributes with several values: groups).</summary>
    public void AddListing(Span<ulong> target, ReadOnlySpan<byte> value)
    {
        if (_byValue.TryGetValue(value, out var mask))
        {
            RuleMask.OrInto(target, mask);
        }
    }
}
