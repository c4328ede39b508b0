using System.Text.RegularExpressions;
using Auditrail.AuditPolicy.Model;

namespace Auditrail.AuditPolicy.Loading;

/// <summary>
/// kube-apiserver's checks on a Policy, each an error it would refuse to start with: a rule needs a
/// valid level; nonResourceURLs never share a rule with resources or namespaces, begin with '/' and
/// hold '*' only at the end; omitStages name real stages; resourceNames need resources; groups are DNS
/// subdomains; and the policy has at least one rule.
/// </summary>
public static partial class PolicyValidator
{
    public static IEnumerable<PolicyFinding> Validate(Policy policy)
    {
        if (policy.Rules.Count == 0)
        {
            yield return Error(PolicyCodes.NoRules, policy.Location, null, "the policy has no rules (kube-apiserver refuses a policy with 0 rules)");
        }

        foreach (var finding in ValidateStages(policy.OmitStages, "omitStages", policy.Where, null))
        {
            yield return finding;
        }

        foreach (var rule in policy.Rules)
        {
            foreach (var finding in ValidateRule(rule))
            {
                yield return finding;
            }
        }
    }

    private static IEnumerable<PolicyFinding> ValidateRule(PolicyRule rule)
    {
        if (rule.Level is null)
        {
            yield return Error(PolicyCodes.LevelRequired, rule.Location, rule.Index, "level is required (None, Metadata, Request or RequestResponse)");
        }
        else if (rule.ParsedLevel is null)
        {
            yield return Error(PolicyCodes.LevelInvalid, rule.Where("level"), rule.Index,
                $"level '{rule.Level}' is not supported: use None, Metadata, Request or RequestResponse (the names are case-sensitive)");
        }

        for (var i = 0; i < rule.NonResourceUrls.Count; i++)
        {
            var url = rule.NonResourceUrls[i];
            if (url == "*")
            {
                continue;
            }

            if (!url.StartsWith('/'))
            {
                yield return Error(PolicyCodes.NonResourceUrlNotAbsolute, rule.Where($"nonResourceURLs[{i}]"), rule.Index,
                    $"nonResourceURLs[{i}] '{url}' must begin with a '/' character");
            }

            if (url.Length > 0 && url.AsSpan(0, url.Length - 1).Contains('*'))
            {
                yield return Error(PolicyCodes.NonResourceWildcardNotLast, rule.Where($"nonResourceURLs[{i}]"), rule.Index,
                    $"nonResourceURLs[{i}] '{url}': a wildcard '*' must be the final character");
            }
        }

        for (var i = 0; i < rule.Resources.Count; i++)
        {
            var entry = rule.Resources[i];
            if (entry.Group.Length > 0 && !IsDnsSubdomain(entry.Group))
            {
                yield return Error(PolicyCodes.GroupInvalid, rule.Where($"resources[{i}].group"), rule.Index,
                    $"resources[{i}].group '{entry.Group}' is not an API group name (lower-case DNS subdomain without a version, e.g. rbac.authorization.k8s.io)");
            }

            if (entry.ResourceNames.Count > 0 && entry.Resources.Count == 0)
            {
                yield return Error(PolicyCodes.ResourceNamesWithoutResources, rule.Where($"resources[{i}].resourceNames"), rule.Index,
                    $"resources[{i}]: using resourceNames requires at least one resource");
            }
        }

        foreach (var finding in ValidateStages(rule.OmitStages, "omitStages", rule.Where, rule.Index))
        {
            yield return finding;
        }

        if (rule.NonResourceUrls.Count > 0 && (rule.Resources.Count > 0 || rule.Namespaces.Count > 0))
        {
            yield return Error(PolicyCodes.NonResourceMixedWithResources, rule.Where("nonResourceURLs"), rule.Index,
                "rules cannot apply to both regular resources (resources, namespaces) and non-resource URLs; split it in two rules");
        }
    }

    private static IEnumerable<PolicyFinding> ValidateStages(IReadOnlyList<string> stages, string field, Func<string, Detection.Rules.SourceLocation> where, int? rule)
    {
        for (var i = 0; i < stages.Count; i++)
        {
            if (!PolicyNames.TryParseStage(stages[i], out _))
            {
                yield return Error(PolicyCodes.OmitStageInvalid, where($"{field}[{i}]"), rule,
                    $"{field}[{i}] '{stages[i]}' is not a stage: allowed stages are {string.Join(",", PolicyNames.Stages)}");
            }
        }
    }

    /// <summary>A lower-case RFC 1123 subdomain of at most 253 characters, as kube-apiserver requires of group names.</summary>
    internal static bool IsDnsSubdomain(string name) => name.Length <= 253 && DnsSubdomain().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();

    private static PolicyFinding Error(string code, Detection.Rules.SourceLocation location, int? rule, string message) =>
        new(code, FindingSeverity.Error, location, rule, message);
}
