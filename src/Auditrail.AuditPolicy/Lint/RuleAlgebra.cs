using Auditrail.AuditPolicy.Model;

namespace Auditrail.AuditPolicy.Lint;

/// <summary>
/// Reasoning about rules as sets of requests, for lint: whether one rule matches every request another
/// does (<see cref="Covers"/>: the later one is shadowed) and whether two rules can match a common
/// request (<see cref="Overlaps"/>). Both follow upstream's matching, and both are conservative: Covers
/// answers true only when it is certain, Overlaps answers false only when it is certain.
/// </summary>
internal static class RuleAlgebra
{
    /// <summary>True when <paramref name="outer"/> matches every request <paramref name="inner"/> matches.</summary>
    public static bool Covers(PolicyRule outer, PolicyRule inner)
    {
        if (!ListCovers(outer.Users, inner.Users) || !ListCovers(outer.UserGroups, inner.UserGroups) || !ListCovers(outer.Verbs, inner.Verbs))
        {
            return false;
        }

        if (!outer.IsResourceScoped && outer.NonResourceUrls.Count == 0)
        {
            return true;
        }

        if (outer.IsResourceScoped)
        {
            return inner.IsResourceScoped && ListCovers(outer.Namespaces, inner.Namespaces)
                && (outer.Resources.Count == 0 || (inner.Resources.Count > 0 && inner.Resources.All(entry => ResourcesCover(outer.Resources, entry))));
        }

        return inner.IsNonResourceScoped && inner.NonResourceUrls.All(url => outer.NonResourceUrls.Any(spec => UrlCovers(spec, url)));
    }

    /// <summary>False only when no request can match both rules.</summary>
    public static bool Overlaps(PolicyRule a, PolicyRule b)
    {
        if (!ListsOverlap(a.Users, b.Users) || !ListsOverlap(a.Verbs, b.Verbs))
        {
            // Groups always may overlap: one user can be in both.
            return false;
        }

        var aScoped = a.IsResourceScoped || a.NonResourceUrls.Count > 0;
        var bScoped = b.IsResourceScoped || b.NonResourceUrls.Count > 0;
        if (!aScoped || !bScoped)
        {
            return true;
        }

        if (a.IsResourceScoped != b.IsResourceScoped)
        {
            return false;
        }

        if (a.IsResourceScoped)
        {
            return ListsOverlap(a.Namespaces, b.Namespaces)
                && (a.Resources.Count == 0 || b.Resources.Count == 0 || a.Resources.Any(x => b.Resources.Any(y => EntriesOverlap(x, y))));
        }

        return a.NonResourceUrls.Any(x => b.NonResourceUrls.Any(y => UrlsOverlap(x, y)));
    }

    /// <summary>An empty list selects everything: it covers any list; a non-empty one covers only its subsets.</summary>
    private static bool ListCovers(IReadOnlyList<string> outer, IReadOnlyList<string> inner) =>
        outer.Count == 0 || (inner.Count > 0 && inner.All(outer.Contains));

    private static bool ListsOverlap(IReadOnlyList<string> a, IReadOnlyList<string> b) => a.Count == 0 || b.Count == 0 || a.Any(b.Contains);

    private static bool ResourcesCover(IReadOnlyList<GroupResources> outer, GroupResources inner)
    {
        var sameGroup = outer.Where(o => o.Group == inner.Group).ToList();
        if (sameGroup.Any(o => o.Resources.Count == 0 || (o.ResourceNames.Count == 0 && o.Resources.Contains("*"))))
        {
            return true;
        }

        return inner.Resources.Count > 0 && inner.Resources.All(resource =>
            sameGroup.Any(o => ListCovers(o.ResourceNames, inner.ResourceNames) && o.Resources.Any(pattern => PatternCovers(pattern, resource))));
    }

    private static bool EntriesOverlap(GroupResources a, GroupResources b) =>
        a.Group == b.Group && (a.Resources.Count == 0 || b.Resources.Count == 0
            || (ListsOverlap(a.ResourceNames, b.ResourceNames) && a.Resources.Any(x => b.Resources.Any(y => ResourcePattern.Parse(x).Overlaps(ResourcePattern.Parse(y))))));

    /// <summary>Whether every resource/subresource <paramref name="inner"/> selects is selected by <paramref name="outer"/>.</summary>
    internal static bool PatternCovers(string outer, string inner) => ResourcePattern.Parse(outer).Covers(ResourcePattern.Parse(inner));

    private static bool UrlCovers(string spec, string url)
    {
        if (spec == "*" || spec == url)
        {
            return true;
        }

        if (!spec.EndsWith('*'))
        {
            return false;
        }

        // An exact path, or a narrower prefix, that starts with the spec's prefix.
        return url.TrimEnd('*').StartsWith(spec.TrimEnd('*'), StringComparison.Ordinal);
    }

    private static bool UrlsOverlap(string a, string b)
    {
        if (a == "*" || b == "*" || a == b)
        {
            return true;
        }

        var aPrefix = a.EndsWith('*');
        var bPrefix = b.EndsWith('*');
        return (aPrefix, bPrefix) switch
        {
            (true, true) => a.TrimEnd('*').StartsWith(b.TrimEnd('*'), StringComparison.Ordinal) || b.TrimEnd('*').StartsWith(a.TrimEnd('*'), StringComparison.Ordinal),
            (true, false) => b.StartsWith(a.TrimEnd('*'), StringComparison.Ordinal),
            (false, true) => a.StartsWith(b.TrimEnd('*'), StringComparison.Ordinal),
            _ => false,
        };
    }

    /// <summary>
    /// What a resource pattern selects, as upstream matches it: a resource (or any), and no subresource,
    /// one subresource, or any (none included). <c>pods/*</c> is pods with any or no subresource.
    /// </summary>
    private readonly record struct ResourcePattern(string? Resource, SubresourceKind Kind, string? Subresource)
    {
        public static ResourcePattern Parse(string pattern)
        {
            if (pattern == "*")
            {
                return new(null, SubresourceKind.AnyOrNone, null);
            }

            var slash = pattern.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                return new(pattern, SubresourceKind.None, null);
            }

            var resource = pattern[..slash];
            var subresource = pattern[(slash + 1)..];
            return (resource, subresource) switch
            {
                ("*", "*") => new(null, SubresourceKind.AnyOrNone, null),
                ("*", _) => new(null, SubresourceKind.Exactly, subresource),
                (_, "*") => new(resource, SubresourceKind.AnyOrNone, null),
                _ => new(resource, SubresourceKind.Exactly, subresource),
            };
        }

        public bool Covers(ResourcePattern inner) =>
            (Resource is null || Resource == inner.Resource)
            && (Kind == SubresourceKind.AnyOrNone || (Kind == inner.Kind && Subresource == inner.Subresource));

        public bool Overlaps(ResourcePattern other) =>
            (Resource is null || other.Resource is null || Resource == other.Resource)
            && (Kind == SubresourceKind.AnyOrNone || other.Kind == SubresourceKind.AnyOrNone || (Kind == other.Kind && Subresource == other.Subresource));
    }

    private enum SubresourceKind
    {
        None,
        Exactly,
        AnyOrNone,
    }
}
