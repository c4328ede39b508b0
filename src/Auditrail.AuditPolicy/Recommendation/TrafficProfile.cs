using Auditrail.AuditPolicy.Needs;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.AuditPolicy.Recommendation;

/// <summary>
/// A kind of request, at the grain a policy rule can select: who (<see cref="Principal"/>), the verb,
/// and the group/resource/subresource, or for a non-resource request the family of its path.
/// </summary>
internal readonly record struct TrafficClass(Principal Principal, string Verb, string Group, string Resource, string Subresource, string Path)
{
    public bool IsResource => Path.Length == 0;
}

/// <summary>How much of one kind of request was seen, and what the rules need of it.</summary>
internal sealed class ClassStats
{
    public long Events { get; set; }

    /// <summary>The highest level a rule that counts every event needs for it (full level: everything the rule reads); null when none does.</summary>
    public AuditLevel? Need => NeededBy.Count == 0 ? null : NeededBy.Values.Max();

    /// <summary>The rules that need events of the class, each with the level it reads them at.</summary>
    public SortedDictionary<string, AuditLevel> NeededBy { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Observed traffic, summarised for a recommendation: events per <see cref="TrafficClass"/>, what the
/// rule pack needs of each, the terms new-terms rules learn and the classes each term was seen in,
/// and the API groups each resource name appeared in.
/// </summary>
public sealed class TrafficProfile(DetectionNeeds needs, Action<ReadDiagnostic>? onDiagnostic = null) : IAuditEventHandler
{
    private const int MaxTermsPerRule = 200_000;

    /// <summary>Non-resource paths of health checks, version, metrics and API discovery: the specs a policy drops them with.</summary>
    internal static readonly string[] ProbeFamilies = ["/healthz*", "/livez*", "/readyz*", "/version*", "/metrics*", "/openapi/*", "/swagger*", "/api", "/api/*", "/apis", "/apis/*"];

    private readonly NeedsMatcher _matcher = needs.CreateMatcher();
    private readonly List<RuleNeed> _needed = [];
    private readonly Dictionary<TrafficClass, int> _ids = [];

    public DetectionNeeds Needs { get; } = needs;

    public long Events { get; private set; }

    internal List<TrafficClass> Classes { get; } = [];

    internal List<ClassStats> Stats { get; } = [];

    /// <summary>Per new-terms rule: each term and the classes it was seen in.</summary>
    internal Dictionary<RuleNeed, Dictionary<string, HashSet<int>>> Terms { get; } = [];

    /// <summary>API groups each resource name was seen in.</summary>
    internal Dictionary<string, SortedSet<string>> GroupsSeen { get; } = new(StringComparer.Ordinal);

    /// <summary>Subresources seen of each resource of each group.</summary>
    internal Dictionary<(string Group, string Resource), SortedSet<string>> SubresourcesSeen { get; } = [];

    public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
    {
        Events++;
        var id = ClassOf(auditEvent);
        var stats = Stats[id];
        stats.Events++;
        _needed.Clear();
        _matcher.Match(auditEvent, _needed);
        foreach (var need in _needed)
        {
            if (need.Kind == NeedKind.Rate || need.Stages.All(s => s == AuditStage.Panic))
            {
                // Any request can panic, and a rate compares like with like: neither keeps a class from a drop. Their losses show in the coverage.
                continue;
            }

            if (need.Kind == NeedKind.Events)
            {
                stats.NeededBy[need.Name] = stats.NeededBy.TryGetValue(need.Name, out var level) && level >= need.FullLevel ? level : need.FullLevel;
                continue;
            }

            var terms = Terms.TryGetValue(need, out var t) ? t : Terms[need] = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
            var term = need.TermOf(auditEvent);
            if (terms.TryGetValue(term, out var classes))
            {
                classes.Add(id);
            }
            else if (terms.Count < MaxTermsPerRule)
            {
                terms[term] = [id];
            }
        }
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic) => onDiagnostic?.Invoke(diagnostic);

    private int ClassOf(AuditEvent e)
    {
        TrafficClass traffic;
        if (e.HasObjectRef)
        {
            var resource = e.Resource ?? string.Empty;
            var group = e.ApiGroup ?? string.Empty;
            traffic = new TrafficClass(Principal.Of(e), e.Verb ?? string.Empty, group, resource, e.Subresource ?? string.Empty, string.Empty);
            if (!GroupsSeen.TryGetValue(resource, out var groups))
            {
                GroupsSeen[resource] = groups = new SortedSet<string>(StringComparer.Ordinal);
            }

            groups.Add(group);
            if (traffic.Subresource.Length > 0)
            {
                if (!SubresourcesSeen.TryGetValue((group, resource), out var subresources))
                {
                    SubresourcesSeen[(group, resource)] = subresources = new SortedSet<string>(StringComparer.Ordinal);
                }

                subresources.Add(traffic.Subresource);
            }
        }
        else
        {
            var uri = e.RequestUri ?? string.Empty;
            var query = uri.IndexOf('?', StringComparison.Ordinal);
            var path = query >= 0 ? uri[..query] : uri;
            traffic = new TrafficClass(Principal.Of(e), e.Verb ?? string.Empty, string.Empty, string.Empty, string.Empty, ProbeFamilies.FirstOrDefault(f => Matches(f, path)) ?? "(other)");
        }

        if (!_ids.TryGetValue(traffic, out var id))
        {
            id = _ids[traffic] = Classes.Count;
            Classes.Add(traffic);
            Stats.Add(new ClassStats());
        }

        return id;
    }

    /// <summary>Upstream's nonResourceURLs matching: exact, or a prefix before trailing stars.</summary>
    private static bool Matches(string spec, string path) =>
        spec == path || (spec.EndsWith('*') && path.StartsWith(spec.TrimEnd('*'), StringComparison.Ordinal));
}
