using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Model;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Lint;

/// <summary>
/// Findings about what a valid policy does, beyond what kube-apiserver checks: rules that can never
/// match, secret values written to the log, volume that buys nothing (RequestReceived, reads by the
/// cluster's own components with their responses), requests that no rule logs, and upstream matching
/// quirks that surprise (<c>pods/*</c> selects pods too; a create has no name when the policy runs).
/// </summary>
public static class PolicyLinter
{
    private static readonly string[] ReadVerbs = ["get", "list"];

    /// <summary>Lints the rules that have a valid level; run it on a policy that passed validation.</summary>
    public static IEnumerable<PolicyFinding> Lint(Policy policy)
    {
        var rules = policy.Rules.Where(r => r.ParsedLevel is not null).ToList();
        return Unreachable(rules)
            .Concat(SecretBodies(rules))
            .Concat(RequestReceivedKept(policy, rules))
            .Concat(NoCatchAll(policy, rules))
            .Concat(ReadOnlySystemTraffic(rules))
            .Concat(SubresourceWildcards(rules))
            .Concat(NamesThatNeverMatch(rules))
            .OrderBy(f => f.Location.Line)
            .ThenBy(f => f.Code, StringComparer.Ordinal);
    }

    private static IEnumerable<PolicyFinding> Unreachable(List<PolicyRule> rules)
    {
        for (var j = 0; j < rules.Count; j++)
        {
            if (rules.Take(j).FirstOrDefault(earlier => RuleAlgebra.Covers(earlier, rules[j])) is { } shadow)
            {
                yield return Warn(PolicyCodes.Unreachable, rules[j],
                    $"never matches: {shadow.Name} (line {shadow.Location.Line}) matches every request it would",
                    "Rules are tried in order and the first match wins, so this rule is dead. Move it above the broader rule, or remove it.");
            }
        }
    }

    /// <summary>
    /// The requests whose bodies carry secret values, and the level from which they are logged: writes of
    /// Secrets and ConfigMaps carry the data in the request; reads and writes return it in the response;
    /// a TokenReview carries the token it reviews; a TokenRequest returns the token it issued.
    /// </summary>
    private static readonly SensitiveRequest[] SensitiveRequests =
    [
        new("secrets", "", "secrets", true, AuditLevel.Request, ["create", "update", "patch"]),
        new("secrets", "", "secrets", true, AuditLevel.RequestResponse, ["get", "list", "create", "update", "patch", "delete", "deletecollection"]),
        new("configmaps", "", "configmaps", true, AuditLevel.Request, ["create", "update", "patch"]),
        new("configmaps", "", "configmaps", true, AuditLevel.RequestResponse, ["get", "list", "create", "update", "patch", "delete", "deletecollection"]),
        new("tokenreviews", "authentication.k8s.io", "tokenreviews", false, AuditLevel.Request, ["create"]),
        new("serviceaccounts/token", "", "serviceaccounts/token", true, AuditLevel.RequestResponse, ["create"]),
    ];

    private sealed record SensitiveRequest(string What, string Group, string Resource, bool Namespaced, AuditLevel From, string[] Verbs);

    private static IEnumerable<PolicyFinding> SecretBodies(List<PolicyRule> rules)
    {
        // Per rule, what it would log with values: "secrets (create, update)".
        var exposures = new SortedDictionary<int, List<string>>();
        foreach (var sensitive in SensitiveRequests)
        {
            foreach (var verb in sensitive.Verbs)
            {
                var probe = new PolicyRule
                {
                    Verbs = [verb],
                    Namespaces = sensitive.Namespaced ? [] : [""],
                    Resources = [new GroupResources(sensitive.Group, [sensitive.Resource], [])],
                };
                foreach (var rule in rules)
                {
                    if (!RuleAlgebra.Overlaps(rule, probe))
                    {
                        continue;
                    }

                    if (rule.ParsedLevel >= sensitive.From)
                    {
                        var list = exposures.TryGetValue(rule.Index, out var l) ? l : exposures[rule.Index] = [];
                        list.Add($"{sensitive.What} {verb}");
                    }

                    if (RuleAlgebra.Covers(rule, probe))
                    {
                        break;
                    }
                }
            }
        }

        foreach (var (index, what) in exposures)
        {
            var rule = rules.First(r => r.Index == index);
            var grouped = what.Distinct().GroupBy(w => w[..w.LastIndexOf(' ')], w => w[(w.LastIndexOf(' ') + 1)..])
                .Select(g => $"{g.Key} ({string.Join(", ", g)})");
            yield return Warn(PolicyCodes.SecretBodies, rule,
                $"logs secret values at {rule.Level}: {string.Join("; ", grouped)}",
                "Secret and ConfigMap data, TokenReview tokens and issued service account tokens would sit in the audit log in clear text, "
                + "readable by anyone who can read the log. Log these at Metadata, in a rule placed before this one, as the GCE policy does.");
        }
    }

    private static IEnumerable<PolicyFinding> RequestReceivedKept(Policy policy, List<PolicyRule> rules)
    {
        if (policy.OmitStages.Contains("RequestReceived"))
        {
            yield break;
        }

        foreach (var rule in rules.Where(r => r.ParsedLevel != AuditLevel.None && !r.OmitStages.Contains("RequestReceived")))
        {
            yield return Warn(PolicyCodes.RequestReceivedKept, rule,
                "records the RequestReceived stage",
                "Every request this rule logs is written twice: when it arrives and when it completes, with the same metadata. "
                + "Add omitStages: [RequestReceived] to the policy (or the rule); ResponseComplete and Panic carry everything it has, and more.");
        }
    }

    private static IEnumerable<PolicyFinding> NoCatchAll(Policy policy, List<PolicyRule> rules)
    {
        if (rules.Count == 0 || rules.Any(r => r.MatchesEverything))
        {
            yield break;
        }

        var last = rules[^1];
        yield return new PolicyFinding(PolicyCodes.NoCatchAll, FindingSeverity.Warning, last.Location, last.Index,
            "no rule matches every request: requests no rule foresaw are not logged at all",
            "Without a match the level is None, so new resources, CRDs and unexpected clients leave no trace. "
            + "End the policy with a rule that has only a level (Metadata), as the GCE policy does.");
    }

    private static IEnumerable<PolicyFinding> ReadOnlySystemTraffic(List<PolicyRule> rules)
    {
        for (var j = 0; j < rules.Count; j++)
        {
            var rule = rules[j];
            if (rule.ParsedLevel != AuditLevel.RequestResponse || !MaySelectSystemIdentities(rule))
            {
                continue;
            }

            // The reads this rule would see: those no earlier rule takes in full.
            var reads = rule with { Verbs = rule.Verbs.Count == 0 ? ReadVerbs : [.. rule.Verbs.Intersect(ReadVerbs)] };
            if (reads.Verbs.Count == 0 || rules.Take(j).Any(earlier => RuleAlgebra.Covers(earlier, reads)))
            {
                continue;
            }

            yield return Warn(PolicyCodes.ReadOnlySystemTrafficHigh, rule,
                $"logs {string.Join(" and ", reads.Verbs)} by the cluster's own components (nodes, controllers, service accounts) with their responses",
                "Response bodies of reads are whole objects and lists, and controllers and kubelets read all day: this is usually the largest "
                + "and least useful part of a log. Log reads at Metadata (or Request, which records no body for a read) in an earlier rule, "
                + "or limit this rule to people with users or userGroups.");
        }
    }

    /// <summary>False only when every user or group the rule names is a person's: nothing of the system: kind.</summary>
    private static bool MaySelectSystemIdentities(PolicyRule rule) =>
        (rule.Users.Count == 0 || rule.Users.Any(IsSystemName)) && (rule.UserGroups.Count == 0 || rule.UserGroups.Any(IsSystemName));

    /// <summary>Names of cluster components and groups that hold them (system:authenticated holds everyone); anonymous callers are not components.</summary>
    private static bool IsSystemName(string name) =>
        name.StartsWith("system:", StringComparison.Ordinal) && name is not "system:anonymous" and not "system:unauthenticated";

    private static IEnumerable<PolicyFinding> SubresourceWildcards(List<PolicyRule> rules)
    {
        foreach (var rule in rules)
        {
            foreach (var entry in rule.Resources)
            {
                foreach (var pattern in entry.Resources.Where(p => p.EndsWith("/*", StringComparison.Ordinal) && p != "*/*"))
                {
                    var resource = pattern[..^2];
                    if (entry.Resources.Contains(resource))
                    {
                        continue;
                    }

                    yield return Warn(PolicyCodes.SubresourceWildcardMatchesParent, rule,
                        $"'{pattern}' also matches {resource} itself, not only its subresources",
                        $"kube-apiserver matches 'resource/*' on the resource alone, so this rule applies to every request on {resource} too. "
                        + $"To select only subresources, list them ('{resource}/exec', '{resource}/log'); if both are meant, write '{resource}' as well to say so.");
                }
            }
        }
    }

    private static IEnumerable<PolicyFinding> NamesThatNeverMatch(List<PolicyRule> rules)
    {
        string[] nameless = ["create", "deletecollection"];
        foreach (var rule in rules.Where(r => r.Verbs.Count > 0 && r.Verbs.All(nameless.Contains)))
        {
            var named = rule.Resources.Where(e => e.ResourceNames.Count > 0 && e.Resources.All(r => !r.Contains('/', StringComparison.Ordinal))).ToList();
            if (named.Count == 0)
            {
                continue;
            }

            yield return Warn(PolicyCodes.ResourceNamesNeverMatch, rule,
                $"resourceNames can never match {string.Join(" or ", rule.Verbs)}",
                "The policy is evaluated on the request's URL, before the body is read: a create or a deletecollection has no object name then "
                + "(the event's objectRef.name of a create is filled in later), so a rule restricted to names never matches them.");
        }
    }

    private static PolicyFinding Warn(string code, PolicyRule rule, string message, string explanation) =>
        new(code, FindingSeverity.Warning, rule.Location, rule.Index, message, explanation);
}
