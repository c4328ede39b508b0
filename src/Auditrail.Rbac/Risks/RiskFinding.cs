using Auditrail.Rbac.Authorization;

namespace Auditrail.Rbac.Risks;

/// <summary>
/// One risky grant: which risk, how severe here, and the path subject ← binding → role → rule that
/// grants it. <see cref="Permissions"/> are the probes the rule allows (e.g. <c>list secrets</c>);
/// <see cref="Notes"/> say why the severity differs from the catalogue's, if it does.
/// <see cref="Expected"/> marks system subjects that hold the permission by design; they are listed,
/// never hidden.
/// </summary>
public sealed record RiskFinding(
    RiskDefinition Risk,
    RiskSeverity Severity,
    RbacGrant Grant,
    string Scope,
    bool Expected,
    IReadOnlyList<string> Permissions,
    IReadOnlyList<string> Notes)
{
    public override string ToString() =>
        $"{Severity.ToString().ToLowerInvariant()} {Risk.Id} {Risk.Name}: {Grant.SubjectText} via {Grant.Binding.DisplayName} → {Grant.Role.DisplayName} ({Scope}): {string.Join(", ", Permissions)}";
}
