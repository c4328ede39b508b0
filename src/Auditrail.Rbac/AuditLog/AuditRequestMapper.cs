using System.Text.Json;
using Auditrail.Core.Model;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.AuditLog;

/// <summary>
/// Turns an audit event back into the authorization attributes the apiserver checked, as
/// <c>authorizer.Attributes</c> saw them (the request, not the body): the acting identity is the
/// impersonated user when there is one; objectRef gives group, resource, subresource, namespace and
/// name; a request without objectRef is a non-resource request on the path of its requestURI.
/// </summary>
public static class AuditRequestMapper
{
    /// <summary>The verb the impersonation filter checks.</summary>
    public const string ImpersonateVerb = "impersonate";

    private const string AuthenticationGroup = "authentication.k8s.io";

    /// <summary>
    /// The request as the authorizer saw it, or null (with <paramref name="problem"/> set) for an event
    /// that carries no request to authorize: no user (a failed authentication) or no verb.
    /// </summary>
    public static RequestAttributes? Map(AuditEvent auditEvent, out string? problem)
    {
        problem = null;
        var impersonated = auditEvent.HasImpersonation;
        var user = impersonated ? auditEvent.ImpersonatedUserName : auditEvent.UserName;
        if (string.IsNullOrEmpty(user))
        {
            problem = impersonated ? "impersonatedUser has no username" : "the event has no user.username (a failed authentication is never authorized)";
            return null;
        }

        var verb = auditEvent.Verb;
        if (string.IsNullOrEmpty(verb))
        {
            problem = "the event has no verb";
            return null;
        }

        var groups = impersonated ? auditEvent.ImpersonatedUserGroups : auditEvent.UserGroups;
        if (!auditEvent.HasObjectRef)
        {
            var uri = auditEvent.RequestUri ?? string.Empty;
            var query = uri.IndexOf('?', StringComparison.Ordinal);
            var path = query < 0 ? uri : uri[..query];
            if (path.Length == 0)
            {
                problem = "a request without objectRef and without requestURI";
                return null;
            }

            return new RequestAttributes { User = user, Groups = groups, Verb = verb, IsResourceRequest = false, Path = path };
        }

        var resource = auditEvent.Resource ?? string.Empty;
        if (resource.Length == 0)
        {
            problem = "objectRef has no resource";
            return null;
        }

        var subresource = auditEvent.Subresource ?? string.Empty;
        return new RequestAttributes
        {
            User = user,
            Groups = groups,
            Verb = verb,
            ApiGroup = auditEvent.ApiGroup ?? string.Empty,
            Resource = resource,
            Subresource = subresource,
            Name = AuthorizedName(verb, subresource, auditEvent.Name),
            Namespace = auditEvent.Namespace ?? string.Empty,
        };
    }

    /// <summary>
    /// The name the authorizer saw. A create of an object is a POST to its collection: the name is in
    /// the body, which authorization never reads (the audit layer copies it into objectRef afterwards),
    /// so RBAC sees no name and a rule with resourceNames can never allow it. A create on a
    /// subresource (<c>pods/NAME/eviction</c>, <c>serviceaccounts/NAME/token</c>) names its object in
    /// the URL, and keeps it. Every other verb's objectRef name comes from the URL already (list and
    /// watch have one only when a field selector pins <c>metadata.name</c>).
    /// </summary>
    public static string AuthorizedName(string verb, string subresource, string? name) =>
        verb == "create" && subresource.Length == 0 ? string.Empty : name ?? string.Empty;

    /// <summary>
    /// The checks the impersonation filter made for the impersonating user of this event (none when
    /// nobody was impersonated): <c>impersonate</c> on <c>users</c> NAME, or on <c>serviceaccounts</c>
    /// NAME in its namespace for a service account username; on <c>groups</c> for each group that was
    /// asked for (the groups the filter adds itself, <c>system:authenticated</c> and a service
    /// account's groups, need no permission); on <c>userextras/KEY</c> for each extra value; on
    /// <c>uids</c> for a UID.
    /// </summary>
    public static IReadOnlyList<RequestAttributes> ImpersonationChecks(AuditEvent auditEvent)
    {
        if (!auditEvent.HasImpersonation || auditEvent.UserName is not { Length: > 0 } impersonator || auditEvent.ImpersonatedUserName is not { Length: > 0 } target)
        {
            return [];
        }

        var groups = auditEvent.UserGroups;
        var checks = new List<RequestAttributes>();
        RequestAttributes Check(string apiGroup, string resource, string name, string subresource = "", string @namespace = "") =>
            new() { User = impersonator, Groups = groups, Verb = ImpersonateVerb, ApiGroup = apiGroup, Resource = resource, Subresource = subresource, Name = name, Namespace = @namespace };

        checks.Add(RequestAttributes.TryParseServiceAccount(target, out var saNamespace, out var saName)
            ? Check(string.Empty, "serviceaccounts", saName, @namespace: saNamespace)
            : Check(string.Empty, "users", target));

        var implied = RequestAttributes.ImpliedGroups(target, []);
        foreach (var group in auditEvent.ImpersonatedUserGroups)
        {
            if (!implied.Contains(group, StringComparer.Ordinal))
            {
                checks.Add(Check(string.Empty, "groups", group));
            }
        }

        if (auditEvent.ImpersonatedUserUid is { Length: > 0 } uid)
        {
            checks.Add(Check(AuthenticationGroup, "uids", uid));
        }

        foreach (var (key, value) in ImpersonatedExtras(auditEvent))
        {
            checks.Add(Check(AuthenticationGroup, "userextras", value, subresource: key));
        }

        return checks;
    }

    // impersonatedUser.extra is a map of lists of strings; the fast model does not decode it, so it is read here (impersonation is rare).
    private static List<(string Key, string Value)> ImpersonatedExtras(AuditEvent auditEvent)
    {
        var extras = new List<(string, string)>();
        var json = auditEvent.ImpersonatedUserJson;
        if (json.IsEmpty)
        {
            return extras;
        }

        using var document = JsonDocument.Parse(json.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("extra", out var extra)
            || extra.ValueKind != JsonValueKind.Object)
        {
            return extras;
        }

        foreach (var property in extra.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var value in property.Value.EnumerateArray())
            {
                if (value.ValueKind == JsonValueKind.String)
                {
                    extras.Add((property.Name, value.GetString()!));
                }
            }
        }

        return extras;
    }

    /// <summary>Whether the subject is the identity making this request (its user, or one of its groups).</summary>
    public static bool IsMadeBy(RequestAttributes request, RbacSubject subject) => subject.AppliesTo(request.User, request.Groups, string.Empty);
}
