using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Usage;

/// <summary>
/// Finds the granted permissions nobody exercised: every logged request is authorized against the
/// RBAC, and each grant that allowed it (binding, subject, role, rule) marks what it matched as used.
/// Requests the apiserver denied used nothing and are left out. A Group subject is used by the
/// requests of its members (the groups the events carry); a ServiceAccount subject by its
/// <c>system:serviceaccount:NS:NAME</c> user.
/// </summary>
public static class UsageAnalyzer
{
    public static UsageReport Analyze(RbacSnapshot snapshot, IReadOnlyList<LoggedRequest> requests, DateTimeOffset? since = null, DateTimeOffset? until = null,
        Func<RbacSubject, bool>? subjectFilter = null)
    {
        // One usage row per (subject as it applies, binding); subjects keep the order of first appearance in sorted bindings.
        var rows = new Dictionary<(SubjectKey Subject, RbacBinding Binding), BindingUsage>();
        var subjects = new Dictionary<SubjectKey, RbacSubject>();
        foreach (var binding in snapshot.AllBindings)
        {
            var role = snapshot.ResolveRoleRef(binding);
            foreach (var subject in binding.Subjects)
            {
                if (!RbacAuthorizer.CanMatchAnyone(subject, binding))
                {
                    continue;
                }

                var effective = AsItApplies(subject, binding);
                if (subjectFilter is not null && !subjectFilter(effective))
                {
                    continue;
                }

                var key = SubjectKey.Of(effective);
                subjects.TryAdd(key, effective);
                rows.TryAdd((key, binding), new BindingUsage(binding, role, role is null ? [] : [.. role.Rules.Select((r, i) => new RuleUsage(r, i))]));
            }
        }

        var authorizer = new RbacAuthorizer(snapshot);
        long considered = 0, unbound = 0;
        var activity = subjects.Keys.ToDictionary(k => k, _ => (Requests: 0L, Last: (DateTimeOffset?)null));
        foreach (var request in requests)
        {
            if (request.Outcome == RequestOutcome.Denied)
            {
                continue;
            }

            considered += request.Count;
            var madeByBoundSubject = false;
            foreach (var (key, subject) in subjects)
            {
                if (subject.AppliesTo(request.Attributes.User, request.Attributes.Groups, subject.Namespace))
                {
                    madeByBoundSubject = true;
                    var (count, last) = activity[key];
                    activity[key] = (count + request.Count, Later(last, request.LastSeen));
                }
            }

            if (!madeByBoundSubject)
            {
                unbound += request.Count;
            }

            var result = authorizer.Authorize(request.Attributes);
            foreach (var grant in result.Grants)
            {
                var key = SubjectKey.Of(AsItApplies(grant.Subject, grant.Binding));
                if (rows.TryGetValue((key, grant.Binding), out var row))
                {
                    row.Rules[grant.RuleIndex].Record(request.Attributes, request.Count, request.LastSeen, result.Grants.Count == 1);
                }
            }
        }

        var subjectUsages = subjects
            .OrderBy(s => s.Value.Kind)
            .ThenBy(s => s.Value.Namespace, StringComparer.Ordinal)
            .ThenBy(s => s.Value.Name, StringComparer.Ordinal)
            .Select(s => new SubjectUsage(s.Value, activity[s.Key].Requests, activity[s.Key].Last,
                [.. rows.Where(r => r.Key.Subject == s.Key).Select(r => r.Value)]))
            .ToList();
        return new UsageReport(since, until, considered, unbound, subjectUsages, Findings(subjectUsages));
    }

    private static List<UsageFinding> Findings(List<SubjectUsage> subjects)
    {
        var findings = new List<UsageFinding>();
        var byBinding = subjects.SelectMany(s => s.Bindings.Select(b => (Subject: s, Usage: b))).GroupBy(x => x.Usage.Binding).ToList();
        foreach (var group in byBinding.OrderBy(g => g.Key.DisplayName, StringComparer.Ordinal))
        {
            var binding = group.Key;
            if (group.All(x => !x.Usage.IsUsed))
            {
                findings.Add(new UsageFinding(UsageFindingKind.UnusedBinding, binding.DisplayName, string.Join(", ", group.Select(x => x.Subject.Name)),
                    $"no subject used anything {binding.RoleRef} grants through it: candidate for deletion"));
                continue;
            }

            foreach (var (subject, usage) in group.Where(x => !x.Usage.IsUsed))
            {
                findings.Add(new UsageFinding(UsageFindingKind.UnusedSubject, binding.DisplayName, subject.Name,
                    $"{subject.Name} used nothing through this binding (others did): candidate for removal from its subjects"));
            }
        }

        // A rule is unused only if no subject used it through any binding of the role.
        var byRole = subjects.SelectMany(s => s.Bindings).Where(b => b.Role is not null).GroupBy(b => b.Role!);
        foreach (var group in byRole.OrderBy(g => g.Key.DisplayName, StringComparer.Ordinal))
        {
            var role = group.Key;
            if (group.All(b => !b.IsUsed))
            {
                continue; // Its bindings are reported; the role goes with them.
            }

            for (var i = 0; i < role.Rules.Count; i++)
            {
                if (group.All(b => !b.Rules[i].IsUsed))
                {
                    findings.Add(new UsageFinding(UsageFindingKind.UnusedRule, $"{role.DisplayName} rules[{i}]", string.Empty,
                        $"{role.Rules[i]} was used by no subject of any binding: candidate for removal"));
                }
            }
        }

        return findings;
    }

    /// <summary>The subject as it applies in the binding: a service account with its namespace defaulted, so the same account in two bindings is one subject.</summary>
    private static RbacSubject AsItApplies(RbacSubject subject, RbacBinding binding) =>
        subject with { Namespace = subject.Kind == SubjectKind.ServiceAccount ? subject.EffectiveNamespace(binding.Namespace) : string.Empty };

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private readonly record struct SubjectKey(SubjectKind Kind, string Name, string Namespace)
    {
        public static SubjectKey Of(RbacSubject subject) => new(subject.Kind, subject.Name, subject.Namespace);
    }
}
