using System.Text;
using Auditrail.AuditPolicy.Model;

namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// The <c>resources</c> selector of every rule, per API group, in the forms upstream matches: the
/// group alone, <c>*</c> (any resource and subresource), an exact <c>resource</c> or
/// <c>resource/subresource</c>, <c>*/subresource</c> and <c>resource/*</c> (which also matches the
/// resource itself). Entries restricted by resourceNames are few and are checked one by one.
/// </summary>
internal sealed class ResourceIndex
{
    private readonly Utf8Map<GroupIndex> _groups = new();

    public ResourceIndex(IReadOnlyList<PolicyRule> rules, int words)
    {
        Unconstrained = RuleMask.Of(words, rules.Where(r => r.Resources.Count == 0).Select(r => r.Index));
        foreach (var rule in rules)
        {
            foreach (var entry in rule.Resources)
            {
                var group = _groups.GetOrAdd(entry.Group, () => new GroupIndex(words));
                if (entry.Resources.Count == 0)
                {
                    // Upstream ignores resourceNames without resources (validation refuses them anyway).
                    RuleMask.Set(group.Any, rule.Index);
                    continue;
                }

                foreach (var resource in entry.Resources)
                {
                    if (entry.ResourceNames.Count > 0)
                    {
                        group.Named.Add(new NamedEntry(Encoding.UTF8.GetBytes(resource), entry.ResourceNames.Select(Encoding.UTF8.GetBytes).ToArray(), rule.Index));
                    }
                    else
                    {
                        group.Add(resource, rule.Index);
                    }
                }
            }
        }
    }

    /// <summary>Rules without resources, which every resource request passes.</summary>
    public ulong[] Unconstrained { get; }

    /// <summary>Adds to <paramref name="target"/> the rules whose resources select this request.</summary>
    public void AddMatches(Span<ulong> target, in RequestAttributes request)
    {
        if (!_groups.TryGetValue(request.ApiGroup, out var group))
        {
            return;
        }

        RuleMask.OrInto(target, group.Any);
        var resource = request.Resource;
        var subresource = request.Subresource;
        if (group.Exact.Count > 0)
        {
            if (subresource.IsEmpty)
            {
                AddIfListed(target, group.Exact, resource);
            }
            else
            {
                var length = resource.Length + 1 + subresource.Length;
                Span<byte> combined = length <= 256 ? stackalloc byte[length] : new byte[length];
                resource.CopyTo(combined);
                combined[resource.Length] = (byte)'/';
                subresource.CopyTo(combined[(resource.Length + 1)..]);
                AddIfListed(target, group.Exact, combined);
            }
        }

        if (!subresource.IsEmpty)
        {
            AddIfListed(target, group.OfAnyResource, subresource);
        }

        AddIfListed(target, group.AnySubresourceOf, resource);
        if (group.Named.Count > 0)
        {
            var name = request.Name(subresource);
            foreach (var named in group.Named)
            {
                if (named.Selects(resource, subresource, name))
                {
                    RuleMask.Set(target, named.Rule);
                }
            }
        }
    }

    private static void AddIfListed(Span<ulong> target, Utf8Map<ulong[]> map, ReadOnlySpan<byte> key)
    {
        if (map.TryGetValue(key, out var mask))
        {
            RuleMask.OrInto(target, mask);
        }
    }

    private sealed class GroupIndex(int words)
    {
        private readonly int _words = words;

        /// <summary>Rules that select the whole group, or <c>*</c> in it.</summary>
        public ulong[] Any { get; } = RuleMask.Empty(words);

        /// <summary>By <c>resource</c> or <c>resource/subresource</c> exactly as written.</summary>
        public Utf8Map<ulong[]> Exact { get; } = new();

        /// <summary><c>*/subresource</c>, by subresource.</summary>
        public Utf8Map<ulong[]> OfAnyResource { get; } = new();

        /// <summary><c>resource/*</c>, by resource: the resource itself and all its subresources.</summary>
        public Utf8Map<ulong[]> AnySubresourceOf { get; } = new();

        public List<NamedEntry> Named { get; } = [];

        public void Add(string resource, int rule)
        {
            if (resource == "*")
            {
                RuleMask.Set(Any, rule);
                return;
            }

            RuleMask.Set(Exact.GetOrAdd(resource, NewMask), rule);
            if (resource.StartsWith("*/", StringComparison.Ordinal))
            {
                RuleMask.Set(OfAnyResource.GetOrAdd(resource[2..], NewMask), rule);
            }

            if (resource.EndsWith("/*", StringComparison.Ordinal))
            {
                RuleMask.Set(AnySubresourceOf.GetOrAdd(resource[..^2], NewMask), rule);
            }
        }

        private ulong[] NewMask() => RuleMask.Empty(_words);
    }

    /// <summary>A resource pattern limited to some object names.</summary>
    private sealed record NamedEntry(byte[] Pattern, byte[][] Names, int Rule)
    {
        public bool Selects(ReadOnlySpan<byte> resource, ReadOnlySpan<byte> subresource, ReadOnlySpan<byte> name)
        {
            var named = false;
            foreach (var n in Names)
            {
                named |= name.SequenceEqual(n);
            }

            return named && PatternSelects(Pattern, resource, subresource);
        }
    }

    /// <summary>Upstream's resource matching for one pattern, on bytes.</summary>
    internal static bool PatternSelects(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> resource, ReadOnlySpan<byte> subresource)
    {
        if (pattern.SequenceEqual("*"u8))
        {
            return true;
        }

        var exact = subresource.IsEmpty
            ? pattern.SequenceEqual(resource)
            : pattern.Length == resource.Length + 1 + subresource.Length && pattern.StartsWith(resource) && pattern[resource.Length] == '/' && pattern.EndsWith(subresource);
        if (exact)
        {
            return true;
        }

        if (!subresource.IsEmpty && pattern.StartsWith("*/"u8) && pattern[2..].SequenceEqual(subresource))
        {
            return true;
        }

        return pattern.EndsWith("/*"u8) && pattern[..^2].SequenceEqual(resource);
    }
}
