using System.Text;
using Auditrail.AuditPolicy.Model;

namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// The <c>nonResourceURLs</c> selector of every rule: <c>*</c>, exact paths, and paths ending in
/// <c>*</c>, which match every path that starts with what comes before the stars.
/// </summary>
internal sealed class UrlIndex
{
    private readonly Utf8Map<ulong[]> _exact = new();
    private readonly ulong[] _any;
    private readonly (byte[] Prefix, int Rule)[] _prefixes;

    public UrlIndex(IReadOnlyList<PolicyRule> rules, int words)
    {
        Unconstrained = RuleMask.Of(words, rules.Where(r => r.NonResourceUrls.Count == 0).Select(r => r.Index));
        _any = RuleMask.Empty(words);
        var prefixes = new List<(byte[], int)>();
        foreach (var rule in rules)
        {
            foreach (var url in rule.NonResourceUrls)
            {
                if (url == "*")
                {
                    RuleMask.Set(_any, rule.Index);
                    continue;
                }

                RuleMask.Set(_exact.GetOrAdd(url, () => RuleMask.Empty(words)), rule.Index);
                if (url.EndsWith('*'))
                {
                    prefixes.Add((Encoding.UTF8.GetBytes(url.TrimEnd('*')), rule.Index));
                }
            }
        }

        _prefixes = [.. prefixes];
    }

    /// <summary>Rules without nonResourceURLs, which every non-resource request passes.</summary>
    public ulong[] Unconstrained { get; }

    public void AddMatches(Span<ulong> target, ReadOnlySpan<byte> path)
    {
        RuleMask.OrInto(target, _any);
        if (_exact.TryGetValue(path, out var exact))
        {
            RuleMask.OrInto(target, exact);
        }

        foreach (var (prefix, rule) in _prefixes)
        {
            if (path.StartsWith(prefix))
            {
                RuleMask.Set(target, rule);
            }
        }
    }
}
