using System.Text.Json;
using System.Text;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>Shared shape of the *Review objects: no name, <c>creationTimestamp: null</c>, spec then status.</summary>
internal abstract class ReviewBody(ApiResource resource) : ObjectBody
{
    /// <summary>A review's "stored" form is the answered review: the status is filled in.</summary>
    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        w.WriteStartObject();
        ObjectJson.TypeMeta(w, resource);
        w.WriteStartObject("metadata"u8);
        w.WriteNull("creationTimestamp"u8);
        w.WriteEndObject();
        if (HasSpec)
        {
            w.WriteStartObject("spec"u8);
            WriteSpec(w, r);
            w.WriteEndObject();
        }

        w.WriteStartObject("status"u8);
        if (stored)
        {
            WriteStatus(w, r);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    protected virtual bool HasSpec => true;

    protected abstract void WriteSpec(Utf8JsonWriter w, AuditRequest r);

    protected abstract void WriteStatus(Utf8JsonWriter w, AuditRequest r);

    /// <summary>A JWT-shaped string that cannot be mistaken for a real token: its payload and signature say FAKE.</summary>
    public static string FakeToken(string subject)
    {
        var claims = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"sub\":\"{subject}\",\"fake\":true}}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return "eyJhbGciOiJSUzI1NiIsImtpZCI6IkZBS0UifQ." + claims + ".FAKE-SIGNATURE-auditrail-generated";
    }

    protected static void WriteUserInfo(Utf8JsonWriter w, ReadOnlySpan<byte> property, Identity user)
    {
        w.WritePropertyName(property);
        w.WriteRawValue(user.UserJson, skipInputValidation: true);
    }
}

/// <summary>A kubelet (webhook authentication) asking who holds a bearer token, and the answer.</summary>
internal sealed class TokenReviewBody(Identity tokenOwner) : ReviewBody(Api.TokenReviews)
{
    protected override void WriteSpec(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteString("token"u8, FakeToken(tokenOwner.Username));
        ObjectJson.StringArray(w, "audiences"u8, "https://kubernetes.default.svc.cluster.local");
    }

    protected override void WriteStatus(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteBoolean("authenticated"u8, true);
        WriteUserInfo(w, "user"u8, tokenOwner);
        ObjectJson.StringArray(w, "audiences"u8, "https://kubernetes.default.svc.cluster.local");
    }
}

/// <summary>A kubelet (webhook authorization) asking whether a scraper may read its metrics.</summary>
internal sealed class SubjectAccessReviewBody(Identity subject, string node, string reason) : ReviewBody(Api.SubjectAccessReviews)
{
    protected override void WriteSpec(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteStartObject("resourceAttributes"u8);
        w.WriteString("verb"u8, "get"u8);
        w.WriteString("version"u8, "v1"u8);
        w.WriteString("resource"u8, "nodes"u8);
        w.WriteString("subresource"u8, "metrics"u8);
        w.WriteString("name"u8, node);
        w.WriteEndObject();
        w.WriteString("user"u8, subject.Username);
        ObjectJson.StringArray(w, "groups"u8, subject.Groups);
        if (subject.Uid is { } uid)
        {
            w.WriteString("uid"u8, uid);
        }
    }

    protected override void WriteStatus(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteBoolean("allowed"u8, true);
        w.WriteString("reason"u8, reason);
    }
}

/// <summary><c>kubectl auth can-i VERB RESOURCE</c>.</summary>
internal sealed class SelfSubjectAccessReviewBody(string? ns, string verb, string group, string resource, bool allowed, string reason)
    : ReviewBody(Api.SelfSubjectAccessReviews)
{
    protected override void WriteSpec(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteStartObject("resourceAttributes"u8);
        if (ns is not null)
        {
            w.WriteString("namespace"u8, ns);
        }

        w.WriteString("verb"u8, verb);
        w.WriteString("group"u8, group);
        w.WriteString("resource"u8, resource);
        w.WriteEndObject();
    }

    protected override void WriteStatus(Utf8JsonWriter w, AuditRequest r)
    {
        w.WriteBoolean("allowed"u8, allowed);
        if (reason.Length > 0)
        {
            w.WriteString("reason"u8, reason);
        }
    }
}

/// <summary><c>kubectl auth can-i --list</c>: the reconnaissance step of most intrusions.</summary>
internal sealed class SelfSubjectRulesReviewBody(string ns, bool broad) : ReviewBody(Api.SelfSubjectRulesReviews)
{
    private static readonly byte[] NarrowRules =
        ("""[{"verbs":["create"],"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"]},"""u8
        + """{"verbs":["create"],"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"]},"""u8
        + """{"verbs":["get","list","watch"],"apiGroups":[""],"resources":["configmaps","pods"]},"""u8
        + """{"verbs":["get"],"apiGroups":[""],"resources":["secrets"]},"""u8
        + """{"verbs":["get","update"],"apiGroups":["coordination.k8s.io"],"resources":["leases"]}]"""u8).ToArray();

    private static readonly byte[] BroadRules =
        ("""[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]},"""u8
        + """{"verbs":["create"],"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"]},"""u8
        + """{"verbs":["create"],"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"]}]"""u8).ToArray();

    private static readonly byte[] NonResourceRules =
        ("""[{"verbs":["get"],"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/livez","/openapi","/openapi/*","/readyz","/version","/version/"]}]"""u8).ToArray();

    protected override void WriteSpec(Utf8JsonWriter w, AuditRequest r) => w.WriteString("namespace"u8, ns);

    protected override void WriteStatus(Utf8JsonWriter w, AuditRequest r)
    {
        ObjectJson.Raw(w, "resourceRules"u8, broad ? BroadRules : NarrowRules);
        ObjectJson.Raw(w, "nonResourceRules"u8, NonResourceRules);
        w.WriteBoolean("incomplete"u8, false);
    }
}

/// <summary><c>kubectl auth whoami</c>: the answer is the caller (or whom it impersonates).</summary>
internal sealed class SelfSubjectReviewBody() : ReviewBody(Api.SelfSubjectReviews)
{
    public static readonly SelfSubjectReviewBody Instance = new();

    protected override bool HasSpec => false;

    protected override void WriteSpec(Utf8JsonWriter w, AuditRequest r)
    {
    }

    protected override void WriteStatus(Utf8JsonWriter w, AuditRequest r)
    {
        if ((r.Impersonated ?? r.User) is { } user)
        {
            WriteUserInfo(w, "userInfo"u8, user);
        }
    }
}
