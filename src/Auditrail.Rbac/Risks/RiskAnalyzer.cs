using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Risks;

/// <summary>
/// Finds risky grants: for every binding, every subject that can match someone, and every rule of
/// the bound role, each catalogue risk whose probes the rule allows (by
/// <see cref="RbacAuthorizer.RuleAllows"/>) and whose namespace the binding reaches. One finding per
/// (risk, subject, binding, rule); a rule that is a cluster-admin equivalent yields that finding alone
/// (and the broad-group wildcard one). A rule limited to named objects is one step less severe; any
/// risk granted to a broad group is critical.
/// </summary>
public static class RiskAnalyzer
{
    public static IReadOnlyList<RiskFinding> Analyze(RbacSnapshot snapshot, IReadOnlyList<RiskDefinition>? catalogue = null)
    {
        catalogue ??= RiskCatalog.All;
        var findings = new List<RiskFinding>();
        foreach (var binding in snapshot.AllBindings)
        {
            if (snapshot.ResolveRoleRef(binding) is not { } role)
            {
                continue;
            }

            for (var index = 0; index < role.Rules.Count; index++)
            {
                var rule = role.Rules[index];

                // Non-resource requests have no namespace, so such a rule reached through a RoleBinding grants nothing.
                if (rule.NonResourceUrls.Count > 0 && !binding.IsClusterBinding)
                {
                    continue;
                }

                var allowsEverything = false;
                foreach (var risk in catalogue)
                {
                    // A rule that allows every request holds every other risk too; listing each would
                    // bury the one finding that matters under a dozen restatements of it.
                    if (allowsEverything && !risk.BroadSubjectsOnly)
                    {
                        continue;
                    }

                    var (permissions, limitedToNames) = Evaluate(risk, rule, binding);
                    if (permissions.Count == 0)
                    {
                        continue;
                    }

                    allowsEverything |= risk.Id == RiskCatalog.ClusterAdminId;

                    foreach (var subject in binding.Subjects)
                    {
                        if (!RbacAuthorizer.CanMatchAnyone(subject, binding))
                        {
                            continue;
                        }

                        var subjectClass = SubjectClassifier.Classify(subject, binding);
                        if (risk.BroadSubjectsOnly && subjectClass != SubjectClass.Broad)
                        {
                            continue;
                        }

                        var (severity, notes) = Rate(risk, rule, subject, subjectClass, limitedToNames);
                        findings.Add(new RiskFinding(risk, severity, new RbacGrant(binding, subject, role, rule, index),
                            binding.IsClusterBinding ? "cluster-wide" : $"namespace {binding.Namespace}",
                            subjectClass == SubjectClass.System, permissions, notes));
                    }
                }
            }
        }

        // Worst first; then a stable order that groups a subject's findings together.
        return [.. findings
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.Risk.Id, StringComparer.Ordinal)
            .ThenBy(f => f.Grant.SubjectText, StringComparer.Ordinal)
            .ThenBy(f => f.Grant.Binding.DisplayName, StringComparer.Ordinal)
            .ThenBy(f => f.Grant.RuleIndex)];
    }

    /// <summary>What of the risk the rule grants through this binding, and whether only for named objects.</summary>
    private static (IReadOnlyList<string> Permissions, bool LimitedToNames) Evaluate(RiskDefinition risk, PolicyRule rule, RbacBinding binding)
    {
        if (risk.RuleCheck is { } check)
        {
            return (check(rule), false);
        }

        List<string>? permissions = null;
        var limited = false;
        foreach (var probe in risk.Probes)
        {
            // A RoleBinding reaches only its own namespace; a probe about one namespace needs it to be that one.
            var probeNamespace = probe.Request.Namespace;
            if (probeNamespace.Length > 0 && !binding.IsClusterBinding && binding.Namespace != probeNamespace)
            {
                continue;
            }

            if (Allows(rule, probe, out var byName))
            {
                (permissions ??= []).Add(probe.Description);
                limited |= byName;
            }
        }

        return (permissions ?? (IReadOnlyList<string>)[], limited);
    }

    /// <summary>
    /// Whether the rule allows the probe; for an any-name probe, for some name: any name when the rule
    /// names none, else one of the names it lists (<paramref name="byName"/> is then true).
    /// </summary>
    private static bool Allows(PolicyRule rule, RiskProbe probe, out bool byName)
    {
        byName = false;
        if (!probe.AnyName || rule.ResourceNames.Count == 0)
        {
            return RbacAuthorizer.RuleAllows(rule, probe.Request);
        }

        foreach (var name in rule.ResourceNames)
        {
            if (RbacAuthorizer.RuleAllows(rule, probe.Request with { Name = name }))
            {
                byName = true;
                return true;
            }
        }

        return false;
    }

    private static (RiskSeverity Severity, IReadOnlyList<string> Notes) Rate(RiskDefinition risk, PolicyRule rule, RbacSubject subject, SubjectClass subjectClass, bool limitedToNames)
    {
        var severity = risk.Severity;
        var notes = new List<string>();
        if (risk.Id == RiskCatalog.ClusterAdminId)
        {
            notes.Add("includes every other risk of the catalogue");
        }

        if (limitedToNames)
        {
            severity = severity == RiskSeverity.Low ? RiskSeverity.Low : severity - 1;
            notes.Add($"limited to the objects named {string.Join(", ", rule.ResourceNames)}");
        }

        if (subjectClass == SubjectClass.Broad)
        {
            severity = RiskSeverity.Critical;
            notes.Add($"granted to {SubjectClassifier.BroadDescription(subject)}");
        }
        else if (subjectClass == SubjectClass.System)
        {
            notes.Add("a control-plane identity that needs this by design");
        }

        return (severity, notes);
    }
}
