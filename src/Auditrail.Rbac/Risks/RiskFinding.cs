using Auditrail.Rbac.Authorization;

namespace Auditrail.Rbac.Risks;

/// <summary>
/// One risky grant: which risk, how severe here, and the path subject ← binding → role → rule that
/// grants it. <see cref="Permissions"/> are the probes the rule allows (e.g. <c>list secrets</c>);
/// <see cref="Notes"/> say why the severity differs from the catalogue's, if it does.
/// <see cref="ControlPlane"/> marks control-plane identities that hold the permission by design
/// (see <see cref="SubjectClass.System"/>); they are listed, never hidden, and a caller may treat them as expected.
/// </summary>
public sealed record RiskFinding(
    RiskDefinition Risk,
    RiskSeverity Severity,
    RbacGrant Grant,
    string Scope,
    bool ControlPlane,
    IReadOnlyList<string> Permissions,
    IReadOnlyList<string> Notes)
{
    public override string ToString() =>
        $"{Severity.ToString().ToLowerInvariant()} {Risk.Id} {Risk.Name}: {Grant.SubjectText} via {Grant.Binding.DisplayName} → {Grant.Role.DisplayName} ({Scope}): {string.Join(", ", Permissions)}";
}
