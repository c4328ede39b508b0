using Auditrail.Rbac.Authorization;

namespace Auditrail.Rbac.AuditLog;

/// <summary>How the apiserver answered a logged request, as far as authorization is concerned.</summary>
public enum RequestOutcome
{
    /// <summary>Authorized: the decision annotation says allow, or the response was not a 403.</summary>
    Allowed,

    /// <summary>Refused: the decision annotation says forbid, or (without it) the response was a 403.</summary>
    Denied,

    /// <summary>Only the RequestReceived stage was logged, so the answer is not known.</summary>
    Unknown,
}

/// <summary>
/// One distinct request seen in audit logs: the attributes the authorizer saw (who, verb, resource or
/// path), how often it was made within the window, when first and last, and how it was answered.
/// Requests that differ only in outcome are kept apart, so a command can keep only the denied ones.
/// </summary>
public sealed record LoggedRequest(RequestAttributes Attributes, RequestOutcome Outcome, int Count, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen)
{
    /// <summary>
    /// True for the <c>impersonate</c> check an impersonating user's request needed (made by the
    /// impersonator, not by the impersonated identity whose request it carries).
    /// </summary>
    public bool IsImpersonation => Attributes.Verb == AuditRequestMapper.ImpersonateVerb;

    public override string ToString() => $"{Attributes} by {Attributes.User} ({Outcome.ToString().ToLowerInvariant()}, {Count}×)";
}
