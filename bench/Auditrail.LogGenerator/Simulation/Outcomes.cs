namespace Auditrail.LogGenerator.Simulation;

/// <summary>
/// Failed outcomes with the Status the apiserver returns for them; messages follow apimachinery's wording so
/// rules and people matching on them meet what a real cluster writes.
/// </summary>
internal static class Outcomes
{
    /// <summary>RBAC said no. The message names the effective user, the impersonated one when there is one.</summary>
    public static AuditRequest Forbid(this AuditRequest r)
    {
        // Authorization runs before the body is decoded, so a forbidden request never logs one.
        r.Allowed = false;
        r.Reason = "";
        r.Body = null;
        var user = (r.Impersonated ?? r.User)?.Username ?? "system:anonymous";
        if (r.Resource is not { } resource)
        {
            var path = r.RequestUri.Split('?')[0];
            return r.Fail(403, "Forbidden", $"forbidden: User \"{user}\" cannot {r.Verb} path \"{path}\"", kind: null);
        }

        var target = r.DetailsName is { } name ? $"{resource.GroupResource} \"{name}\"" : resource.GroupResource;
        var what = r.Subresource is null ? resource.Resource : resource.Resource + "/" + r.Subresource;
        var scope = resource.Namespaced && r.Namespace is not null ? $"in the namespace \"{r.Namespace}\"" : "at the cluster scope";
        return r.Fail(403, "Forbidden",
            $"{target} is forbidden: User \"{user}\" cannot {r.Verb} resource \"{what}\" in API group \"{resource.Group}\" {scope}",
            resource.Resource);
    }

    /// <summary>
    /// An admission plugin (Pod Security, a validating webhook) refused the object: RBAC allowed the request,
    /// so the decision annotation still says allow, yet the code is 403 and the body was read.
    /// </summary>
    public static AuditRequest AdmissionDenied(this AuditRequest r, string why) =>
        r.Fail(403, "Forbidden", $"{r.Resource!.GroupResource} \"{r.DetailsName}\" is forbidden: {why}", r.Resource.Resource);

    public static AuditRequest NotFound(this AuditRequest r) =>
        r.Fail(404, "NotFound", $"{r.Resource!.GroupResource} \"{r.DetailsName}\" not found", r.Resource.Resource);

    public static AuditRequest AlreadyExists(this AuditRequest r) =>
        r.Fail(409, "AlreadyExists", $"{r.Resource!.GroupResource} \"{r.DetailsName}\" already exists", r.Resource.Resource);

    /// <summary>An optimistic-concurrency failure: the update carried a stale resourceVersion.</summary>
    public static AuditRequest Conflict(this AuditRequest r) =>
        r.Fail(409, "Conflict",
            $"Operation cannot be fulfilled on {r.Resource!.GroupResource} \"{r.DetailsName}\": the object has been modified; please apply your changes to the latest version and try again",
            r.Resource.Resource);

    /// <summary>Validation failed; details name the kind (not the resource) and carry the field cause.</summary>
    public static AuditRequest Invalid(this AuditRequest r, string field, string causeReason, string causeMessage)
    {
        r.CauseField = field;
        r.CauseReason = causeReason;
        r.CauseMessage = causeMessage;
        return r.Fail(422, "Invalid", $"{r.Resource!.GroupKind} \"{r.DetailsName}\" is invalid: {field}: {causeMessage}", r.Resource.Kind);
    }

    /// <summary>
    /// What the failed-authentication filter records: no user, no authorization, one ResponseStarted event with
    /// code 401 and the credential types that were tried.
    /// </summary>
    public static AuditRequest FailAuthentication(this AuditRequest r, string attempted)
    {
        r.User = null;
        r.FailedAuthentication = true;
        r.Authorized = false;
        r.Code = 401;
        r.StatusMessage = "Authentication failed, attempted: " + attempted;
        return r;
    }

    private static AuditRequest Fail(this AuditRequest r, int code, string reason, string message, string? kind)
    {
        r.Code = code;
        r.StatusReason = reason;
        r.StatusMessage = message;
        r.DetailsKind = kind;
        return r;
    }
}
