using System.Globalization;
using Auditrail.AuditPolicy.Lint;
using Auditrail.AuditPolicy.Model;
using Auditrail.AuditPolicy.Needs;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Recommendation;

/// <summary>A rule of a recommended policy and the comment that says why it is there.</summary>
public sealed record RecommendedRule(PolicyRule Rule, string Comment);

/// <summary>A need the recommendation does not meet on purpose, and why.</summary>
public sealed record WithheldNeed(string Rule, string Reason);

/// <summary>How a recommendation weighs volume against detection.</summary>
/// <param name="KeepEveryTerm">
/// Keep low-value traffic that is all a new-terms rule saw of some term (a service account that only
/// renews its lease): dropped, the rule would start learning that identity at its next logged request,
/// which may be an intruder's.
/// </param>
public sealed record RecommendOptions(bool KeepEveryTerm = true);

/// <summary>The recommended policy: its rules in order, and the needs it leaves out on purpose.</summary>
public sealed record Recommendation(IReadOnlyList<RecommendedRule> Rules, IReadOnlyList<WithheldNeed> Withheld)
{
    /// <summary>Low-value traffic kept because a new-terms rule saw some term nowhere else (see <see cref="RecommendOptions.KeepEveryTerm"/>).</summary>
    public IReadOnlyList<string> KeptForTerms { get; init; } = [];

    /// <summary>Stages the policy omits for every rule: RequestReceived repeats what the end of the request says.</summary>
    public static readonly IReadOnlyList<string> OmitStages = ["RequestReceived"];

    /// <summary>No rule reads managedFields, which are often half of an object's bytes.</summary>
    public const bool OmitManagedFields = true;

    /// <summary>The recommendation as a policy, to simulate before it is written.</summary>
    public Policy ToPolicy(string file) => new()
    {
        File = file,
        Rules = [.. Rules.Select(r => r.Rule)],
        OmitStages = OmitStages,
        OmitManagedFields = OmitManagedFields,
    };

    /// <summary>The policy document, with <paramref name="header"/> as its opening comment.</summary>
    public string ToYaml(IEnumerable<string> header) => PolicyYaml.Write(header, OmitStages, OmitManagedFields, Rules);
}

/// <summary>
/// Tailors a policy to observed traffic and a rule pack. In order: Secret values never reach the log;
/// the bodies the rules read, at the level they read them, for the resources and verbs they pin (and
/// those observed in traffic they needed); then the high-volume, low-value traffic no rule needs is
/// dropped: health checks and discovery, Kubernetes Events, leases, metrics reads and watches by the
/// cluster's own components; everything else at Metadata. A drop never takes a request some rule
/// needed in the traffic, and a new-terms rule keeps at least one event of every term it saw.
/// </summary>
public static class PolicyRecommender
{
    private static readonly string[] EventVerbs = ["create", "update", "patch", "get", "list", "watch"];

    /// <summary>A drop rule for less than this share of the traffic is not worth the line it takes.</summary>
    private const double MinimumDropShare = 0.001;
    private static readonly string[] ReadVerbs = ["get", "list"];
    private static readonly string[] EndpointVerbs = ["get", "list", "watch", "update", "patch"];

    /// <summary>Resources whose bodies hold secret values at any level above Metadata: never logged with bodies.</summary>
    private static readonly (string Group, string Resource, string Why)[] SecretBearing =
    [
        ("", "secrets", "Secret data"),
        ("", "serviceaccounts/token", "issued service account tokens"),
        ("authentication.k8s.io", "tokenreviews", "the tokens under review"),
    ];

    public static Recommendation Recommend(TrafficProfile profile, RecommendOptions? options = null)
    {
        var rules = new List<RecommendedRule> { SecretsAtMetadata() };
        var withheld = new List<WithheldNeed>();
        var keptForTerms = new List<string>();
        var keep = KeepRules(profile, withheld);
        rules.AddRange(keep);
        var (partsKept, drops) = DropRules(profile, options ?? new RecommendOptions(), keptForTerms);
        rules.AddRange(CarveOuts(profile, drops.Select(d => d.Rule).ToList(), rules.Select(r => r.Rule).ToList()));
        rules.AddRange(partsKept);
        rules.AddRange(drops);
        rules.Add(new RecommendedRule(new PolicyRule { Level = "Metadata" },
            "Everything else: who did what to which object, when, from where, and the answer (Metadata). Requests no rule foresaw are still logged."));
        return new Recommendation([.. rules.Select((r, i) => r with { Rule = r.Rule with { Index = i } })], withheld) { KeptForTerms = keptForTerms };
    }

    private static RecommendedRule SecretsAtMetadata() => new(
        new PolicyRule
        {
            Level = "Metadata",
            Resources = [.. SecretBearing.GroupBy(s => s.Group).Select(g => new GroupResources(g.Key, [.. g.Select(s => s.Resource)], []))],
        },
        "Secret values never reach the log: Secrets, TokenRequests and TokenReviews at Metadata, before any rule that logs bodies.");

    /// <summary>One resource pattern of one group, and the level each verb needs ("*": every verb).</summary>
    private sealed record KeepEntry(string Group, string Pattern)
    {
        public Dictionary<string, AuditLevel> Verbs { get; } = new(StringComparer.Ordinal);
        public SortedSet<string> For { get; } = new(StringComparer.Ordinal);
    }

    private static List<RecommendedRule> KeepRules(TrafficProfile profile, List<WithheldNeed> withheld)
    {
        var entries = new Dictionary<(string, string), KeepEntry>();
        void Need(string group, string pattern, IEnumerable<string>? verbs, AuditLevel level, string rule)
        {
            if (SecretBearing.FirstOrDefault(s => s.Group == group && (RuleAlgebra.PatternCovers(pattern, s.Resource) || RuleAlgebra.PatternCovers(s.Resource, pattern))) is { Why: { } why })
            {
                if (withheld.All(w => w.Rule != rule))
                {
                    withheld.Add(new WithheldNeed(rule, $"needs {level.ToWireName()} on {pattern}, which would put {why} in the log"));
                }

                return;
            }

            var entry = entries.TryGetValue((group, pattern), out var e) ? e : entries[(group, pattern)] = new KeepEntry(group, pattern);
            foreach (var verb in verbs ?? ["*"])
            {
                entry.Verbs[verb] = entry.Verbs.TryGetValue(verb, out var current) && current > level ? current : level;
            }

            entry.For.Add(rule);
        }

        // What the rules pin: resources and verbs, whether or not the traffic had them.
        foreach (var need in profile.Needs.Rules.Where(n => n.FullLevel > AuditLevel.Metadata && n.Rule.IndexKey.Resources is not null))
        {
            foreach (var resource in need.Rule.IndexKey.Resources!.Order(StringComparer.Ordinal))
            {
                foreach (var group in GroupsFor(profile, need, resource))
                {
                    foreach (var pattern in Patterns(profile, group, resource, need.Subresources))
                    {
                        Need(group, pattern, need.Rule.IndexKey.Verbs?.Order(StringComparer.Ordinal), need.FullLevel, need.Name);
                    }
                }
            }
        }

        // What the traffic showed rules needing beyond that (rules that pin no resource).
        for (var i = 0; i < profile.Classes.Count; i++)
        {
            if (profile.Stats[i].Need is not { } level || level <= AuditLevel.Metadata || !profile.Classes[i].IsResource)
            {
                continue;
            }

            var traffic = profile.Classes[i];
            var pattern = traffic.Subresource.Length == 0 ? traffic.Resource : $"{traffic.Resource}/{traffic.Subresource}";
            if (entries.TryGetValue((traffic.Group, pattern), out var known) && known.Verbs.TryGetValue(traffic.Verb, out var kept) && kept >= level)
            {
                continue;
            }

            foreach (var (rule, ruleLevel) in profile.Stats[i].NeededBy.Where(n => n.Value > AuditLevel.Metadata))
            {
                Need(traffic.Group, pattern, [traffic.Verb], ruleLevel, rule);
            }
        }

        // One rule per level and verb set, the higher levels first.
        var grouped = entries.Values
            .SelectMany(e => Normalize(e.Verbs).Select(v => (Entry: e, v.Level, v.Verbs)))
            .GroupBy(x => (x.Level, Verbs: string.Join(',', x.Verbs)))
            .OrderByDescending(g => g.Key.Level).ThenBy(g => g.Key.Verbs, StringComparer.Ordinal);
        var rules = new List<RecommendedRule>();
        foreach (var group in grouped)
        {
            var verbs = group.Key.Verbs == "*" ? [] : group.Key.Verbs.Split(',');
            var resources = group.GroupBy(x => x.Entry.Group).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new GroupResources(g.Key, [.. g.Select(x => x.Entry.Pattern).Distinct().Order(StringComparer.Ordinal)], [])).ToList();
            var needers = group.SelectMany(x => x.Entry.For).Distinct().Order(StringComparer.Ordinal).ToList();
            rules.Add(new RecommendedRule(new PolicyRule { Level = group.Key.Level.ToWireName(), Verbs = verbs, Resources = resources },
                $"Bodies the rules read ({group.Key.Level.ToWireName()}): {Names(needers)}."));
        }

        return rules;
    }

    /// <summary>
    /// The API groups a rule's resource is in: the built-in one, and any other the traffic showed it in
    /// with the verbs and subresources the rule looks at (extensions/deployments in an old cluster, but
    /// not metrics.k8s.io/pods for a rule about creating pods).
    /// </summary>
    private static IEnumerable<string> GroupsFor(TrafficProfile profile, RuleNeed need, string resource)
    {
        var verbs = need.Rule.IndexKey.Verbs;
        var subresources = need.Subresources;
        var observed = profile.Classes.Where(c => c.Resource == resource && (verbs is null || verbs.Contains(c.Verb))
            && (subresources is null || (subresources.Count == 0 ? c.Subresource.Length == 0 : subresources.Contains(c.Subresource))))
            .Select(c => c.Group);
        return KnownResources.GroupsOf(resource).Union(observed).Distinct().Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// The patterns for a resource: as the rule pins them (none: the resource alone), or, unpinned, the
    /// resource and the subresources the traffic showed (not <c>resource/*</c>, which would also take
    /// status updates nobody reads).
    /// </summary>
    private static IEnumerable<string> Patterns(TrafficProfile profile, string group, string resource, IReadOnlySet<string>? subresources) =>
        (subresources is null ? profile.SubresourcesSeen.GetValueOrDefault((group, resource)) ?? [] : (IEnumerable<string>)subresources)
            .Order(StringComparer.Ordinal).Select(s => $"{resource}/{s}")
            .Prepend(subresources is null || subresources.Count == 0 ? resource : null)
            .OfType<string>();

    /// <summary>Verb levels as (level, verbs) pairs; a level for every verb ("*") absorbs lower levels of single verbs.</summary>
    private static IEnumerable<(AuditLevel Level, string[] Verbs)> Normalize(Dictionary<string, AuditLevel> verbs)
    {
        var all = verbs.TryGetValue("*", out var level) ? level : (AuditLevel?)null;
        var single = verbs.Where(v => v.Key != "*" && (all is null || v.Value > all)).GroupBy(v => v.Value);
        foreach (var byLevel in single)
        {
            yield return (byLevel.Key, [.. byLevel.Select(v => v.Key).Order(StringComparer.Ordinal)]);
        }

        if (all is { } everyVerb)
        {
            yield return (everyVerb, ["*"]);
        }
    }

    /// <summary>
    /// A kind of high-volume, low-value traffic: what it is (the comment), the rule that drops it (to
    /// which the principals are added), and which classes belong to it. A category split by principal is
    /// dropped per principal, so a need keeps only the part of it that has the need.
    /// </summary>
    private sealed record DropCategory(string Name, string Why, PolicyRule Template, bool ByPrincipal, Func<TrafficClass, bool> Selects);

    private static readonly DropCategory[] Categories =
    [
        new("health checks", "Health checks, version, metrics and API discovery",
            new PolicyRule { Level = "None" }, ByPrincipal: false, c => !c.IsResource && c.Path != "(other)"),
        new("events", "Kubernetes Events (what kubectl get events shows) written and read by the cluster's own components; deleting them stays logged",
            new PolicyRule { Level = "None", Verbs = EventVerbs, Resources = [new GroupResources("", ["events"], []), new GroupResources("events.k8s.io", ["events"], [])] },
            ByPrincipal: true, c => c.Resource == "events" && c.Group is "" or "events.k8s.io" && EventVerbs.Contains(c.Verb)),
        new("leases", "Leases renewed by the cluster's own components every few seconds (leader election, node heartbeats)",
            new PolicyRule { Level = "None", Resources = [new GroupResources("coordination.k8s.io", ["leases"], [])] },
            ByPrincipal: true, c => c.Group == "coordination.k8s.io" && c.Resource == "leases"),
        new("autoscaler reads", "Autoscalers polling metrics and scale (the HPA reads both every 15 s)",
            new PolicyRule
            {
                Level = "None",
                Verbs = ReadVerbs,
                Resources = [new GroupResources("", ["*/scale"], []), new GroupResources("apps", ["*/scale"], []), new GroupResources("metrics.k8s.io", [], [])],
            },
            ByPrincipal: true, c => ReadVerbs.Contains(c.Verb) && (c.Group == "metrics.k8s.io" || (c.Subresource == "scale" && c.Group is "" or "apps"))),
        new("endpoints", "Endpoints bookkeeping by the cluster's own components (endpoint and endpoint-slice controllers, the apiserver's reconciler)",
            new PolicyRule { Level = "None", Verbs = EndpointVerbs, Resources = [new GroupResources("", ["endpoints"], []), new GroupResources("discovery.k8s.io", ["endpointslices"], [])] },
            ByPrincipal: true, c => EndpointVerbs.Contains(c.Verb) && ((c.Group == "" && c.Resource == "endpoints") || (c.Group == "discovery.k8s.io" && c.Resource == "endpointslices"))),
        new("watches", "Watches by the cluster's own components: informers re-opening their streams",
            new PolicyRule { Level = "None", Verbs = ["watch"] }, ByPrincipal: true, c => c.Verb == "watch"),
    ];

    /// <summary>What a class would be dropped as: its category and the part of it (a path family, or a principal).</summary>
    private static (DropCategory Category, string Part)? DropOf(TrafficClass traffic)
    {
        foreach (var category in Categories)
        {
            if ((!category.ByPrincipal || traffic.Principal.IsSystem) && category.Selects(traffic))
            {
                return (category, category.ByPrincipal ? traffic.Principal.Selector : traffic.Path);
            }
        }

        return null;
    }

    /// <returns>
    /// The drops, and before them the parts of a category kept (needed) that a drop of another
    /// category would take (a service account's endpoint watches are kept, the watch drop would take them).
    /// </returns>
    private static (List<RecommendedRule> Kept, List<RecommendedRule> Drops) DropRules(TrafficProfile profile, RecommendOptions options, List<string> keptForTerms)
    {
        // Every part of every drop, with the classes in it; a part with a needed class is kept.
        var parts = new Dictionary<(DropCategory Category, string Part), List<int>>();
        for (var i = 0; i < profile.Classes.Count; i++)
        {
            if (DropOf(profile.Classes[i]) is { } key)
            {
                (parts.TryGetValue(key, out var list) ? list : parts[key] = []).Add(i);
            }
        }

        long EventsIn((DropCategory, string) part) => parts[part].Sum(i => profile.Stats[i].Events);
        var dropped = parts.Where(p => p.Value.All(i => profile.Stats[i].Need is null)).Select(p => p.Key).ToHashSet();
        if (options.KeepEveryTerm)
        {
            foreach (var part in KeepOneEventPerTerm(profile, dropped))
            {
                keptForTerms.Add(string.Create(CultureInfo.InvariantCulture, $"{part.Category.Name} of {part.Part} ({EventsIn(part):N0} events)"));
            }
        }

        var total = Math.Max(profile.Events, 1);
        var rules = new List<RecommendedRule>();
        var emitted = new List<(DropCategory Category, bool ByName, List<string> Selectors)>();
        foreach (var category in Categories)
        {
            var mine = dropped.Where(p => p.Category == category).ToList();
            var groups = category.ByPrincipal
                ? mine.GroupBy(p => profile.Classes[parts[p][0]].Principal.ByName)
                : mine.GroupBy(_ => false);
            foreach (var group in groups.OrderByDescending(g => g.Key))
            {
                var selectors = group.Select(p => p.Part).Order(StringComparer.Ordinal).ToList();
                var events = group.Sum(EventsIn);
                if (events < total * MinimumDropShare)
                {
                    continue;
                }

                emitted.Add((category, group.Key, selectors));
                rules.Add(new RecommendedRule(Select(category.Template, category.ByPrincipal, group.Key, selectors),
                    string.Create(CultureInfo.InvariantCulture, $"{category.Why}; no rule needs them ({events:N0} events, {events * 100.0 / total:F1}% of the traffic).")));
            }
        }

        // A kept part of one category that another category's drop (for the same principal) would take.
        var kept = parts.Keys.Where(p => p.Category.ByPrincipal && !dropped.Contains(p))
            .Where(p => emitted.Any(e => e.Category != p.Category && e.Selectors.Contains(p.Part) && RuleAlgebra.Overlaps(e.Category.Template, p.Category.Template)))
            .GroupBy(p => (p.Category, ByName: profile.Classes[parts[p][0]].Principal.ByName))
            .Select(g => new RecommendedRule(
                Select(g.Key.Category.Template with { Level = "Metadata" }, true, g.Key.ByName, [.. g.Select(p => p.Part).Order(StringComparer.Ordinal)]),
                $"Kept ({g.Key.Category.Name}): rules need them, and a drop below would take them."))
            .ToList();
        return (kept, rules);
    }

    /// <summary>A category's rule for some principals: by name (users) or by group (userGroups), or for path families.</summary>
    private static PolicyRule Select(PolicyRule template, bool byPrincipal, bool byName, List<string> selectors) =>
        !byPrincipal ? template with { NonResourceUrls = selectors }
        : byName ? template with { Users = selectors }
        : template with { UserGroups = selectors };

    /// <summary>
    /// A new-terms rule learns each value once (an identity's address, its client): if every event of a
    /// term fell in dropped parts, the smallest of those parts is kept, so the rule still sees the term.
    /// </summary>
    /// <returns>The parts kept so.</returns>
    private static List<(DropCategory Category, string Part)> KeepOneEventPerTerm(TrafficProfile profile, HashSet<(DropCategory Category, string Part)> dropped)
    {
        var kept = new List<(DropCategory, string)>();
        foreach (var terms in profile.Terms.Values)
        {
            foreach (var classes in terms.Values)
            {
                var keys = classes.Select(i => (Class: i, Key: DropOf(profile.Classes[i]))).ToList();
                if (keys.Any(k => k.Key is not { } key || !dropped.Contains(key)))
                {
                    continue;
                }

                var smallest = keys.GroupBy(k => k.Key!.Value).MinBy(g => g.Sum(k => profile.Stats[k.Class].Events))!.Key;
                dropped.Remove(smallest);
                kept.Add(smallest);
            }
        }

        return kept;
    }

    /// <summary>
    /// Requests a rule pins (its verbs on its resources) that a drop would take: kept at the level the
    /// rule needs by a rule placed before the drops, unless an earlier rule already takes them.
    /// </summary>
    private static IEnumerable<RecommendedRule> CarveOuts(TrafficProfile profile, List<PolicyRule> drops, List<PolicyRule> earlier)
    {
        var carved = new List<(PolicyRule Rule, string Name)>();
        foreach (var need in profile.Needs.Rules.Where(n => n.Rule.IndexKey.Resources is not null))
        {
            foreach (var resource in need.Rule.IndexKey.Resources!.Order(StringComparer.Ordinal))
            {
                foreach (var group in GroupsFor(profile, need, resource))
                {
                    var probe = new PolicyRule
                    {
                        Level = need.Level.ToWireName(),
                        Verbs = [.. (need.Rule.IndexKey.Verbs ?? new HashSet<string>()).Order(StringComparer.Ordinal)],
                        Resources = [new GroupResources(group, [.. Patterns(profile, group, resource, need.Subresources)], [])],
                    };
                    if (drops.Any(d => Takes(d, probe)) && !earlier.Concat(carved.Select(c => c.Rule)).Any(e => RuleAlgebra.Covers(e, probe)))
                    {
                        carved.Add((probe, need.Name));
                    }
                }
            }
        }

        return carved.Select(c => new RecommendedRule(c.Rule, $"Kept for {c.Name}, which the drops below would otherwise blind."));
    }

    /// <summary>
    /// Whether a drop takes requests the probe stands for. The watch drop selects no resource: it
    /// counts only against rules that name watch, not against every rule that leaves verbs open.
    /// </summary>
    private static bool Takes(PolicyRule drop, PolicyRule probe) =>
        RuleAlgebra.Overlaps(drop, probe) && (drop.Resources.Count > 0 || drop.NonResourceUrls.Count > 0 || probe.Verbs.Intersect(drop.Verbs).Any());

    private static string Names(List<string> names) =>
        names.Count <= 6 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(6))} and {names.Count - 6} more";
}
