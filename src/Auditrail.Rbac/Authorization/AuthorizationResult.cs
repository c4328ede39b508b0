using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Authorization;

/// <summary>
/// One reason a request is allowed: this rule of this role, granted to this subject by this binding.
/// <see cref="RuleIndex"/> is the rule's position in the role's effective rules.
/// </summary>
public sealed record RbacGrant(RbacBinding Binding, RbacSubject Subject, RbacRole Role, PolicyRule Rule, int RuleIndex)
{
    /// <summary>The subject as it applies in this binding (a service account's namespace defaulted).</summary>
    public string SubjectText => Subject.Describe(Binding.Namespace);

    public override string ToString() => $"{SubjectText} ← {Binding.DisplayName} → {Role.DisplayName} rules[{RuleIndex}] {Rule}";
}

/// <summary>
/// The authorizer's answer. RBAC never denies: <see cref="Allowed"/> false means "no opinion", which
/// with RBAC as the only authorizer is a 403. <see cref="Grants"/> lists every binding, role and rule
/// that allows the request (there may be several); <see cref="Problems"/> lists bindings that apply
/// to the user but grant nothing because their role is missing or of the wrong kind.
/// </summary>
public sealed record AuthorizationResult(bool Allowed, IReadOnlyList<RbacGrant> Grants, IReadOnlyList<string> Problems)
{
    public static AuthorizationResult NoOpinion { get; } = new(false, [], []);
}
