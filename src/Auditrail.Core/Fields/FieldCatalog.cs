using System.Text.Json;
using Auditrail.Core.Identity;
using Auditrail.Core.Model;

namespace Auditrail.Core.Fields;

/// <summary>
/// Every field a rule, a query or the docs can name. One table, so the CEL type of the event, the
/// field reference and <c>auditrail fields</c> never disagree.
/// </summary>
public static class FieldCatalog
{
    public static IReadOnlyList<FieldDefinition> All { get; } = Build();

    private static readonly Dictionary<string, FieldDefinition> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static FieldDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    private static FieldDefinition[] Build() =>
    [
        Raw("apiVersion", FieldType.String, "Audit API version the event was written in (audit.k8s.io/v1, or v1beta1 in old logs).", e => e.ApiVersion) with { Utf8 = Utf8Of(EventSlot.ApiVersion) },
        Raw("level", FieldType.String, "Audit level: None, Metadata, Request or RequestResponse.", e => e.Level.ToWireName()),
        Raw("auditID", FieldType.String, "Unique ID of the request; every stage of one request shares it.", e => e.AuditId) with { Utf8 = Utf8Of(EventSlot.AuditId) },
        Raw("stage", FieldType.String, "RequestReceived, ResponseStarted (long-running requests such as watch and exec), ResponseComplete or Panic.", e => e.Stage.ToWireName()),
        Raw("requestURI", FieldType.String, "Request path and query as the client sent it.", e => e.RequestUri) with { Utf8 = Utf8Of(EventSlot.RequestUri) },
        Raw("verb", FieldType.String, "Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection, or a non-resource HTTP verb in lower case.", e => e.Verb) with { Utf8 = Utf8Of(EventSlot.Verb) },
        Raw("user.username", FieldType.String, "Authenticated user name; empty on failed authentication.", e => e.UserName) with { Utf8 = Utf8Of(EventSlot.UserName) },
        Raw("user.uid", FieldType.String, "Authenticated user's UID, when the authenticator provides one.", e => e.UserUid) with { Utf8 = Utf8Of(EventSlot.UserUid) },
        Raw("user.groups", FieldType.StringList, "Groups of the authenticated user.", e => e.UserGroups),
        Raw("user.extra", FieldType.Json, "Extra authenticator attributes (e.g. credential ID, pod name bound to a service account token).", e => ParseJson(e.UserExtraJson)),
        Raw("impersonatedUser.username", FieldType.String, "User the request impersonated (Impersonate-User header), if any.", e => e.ImpersonatedUserName) with { Utf8 = Utf8Of(EventSlot.ImpersonatedUserName) },
        Raw("impersonatedUser.uid", FieldType.String, "UID of the impersonated user.", e => e.ImpersonatedUserUid) with { Utf8 = Utf8Of(EventSlot.ImpersonatedUserUid) },
        Raw("impersonatedUser.groups", FieldType.StringList, "Groups of the impersonated user.", e => e.ImpersonatedUserGroups),
        Raw("sourceIPs", FieldType.StringList, "Client IPs: X-Forwarded-For entries, then X-Real-Ip, then the connection's address.", e => e.SourceIps),
        Raw("userAgent", FieldType.String, "User agent the client reported (kubectl/v1.30.2 …, client-go, curl).", e => e.UserAgent) with { Utf8 = Utf8Of(EventSlot.UserAgent) },
        Raw("objectRef.resource", FieldType.String, "Resource type (plural), e.g. pods, secrets, clusterrolebindings. Absent for non-resource URLs.", e => e.Resource) with { Utf8 = Utf8Of(EventSlot.ObjectResource) },
        Raw("objectRef.namespace", FieldType.String, "Namespace of the object; absent for cluster-scoped resources.", e => e.Namespace) with { Utf8 = Utf8Of(EventSlot.ObjectNamespace) },
        Raw("objectRef.name", FieldType.String, "Object name; absent for list, watch and (at policy time) create.", e => e.Name) with { Utf8 = Utf8Of(EventSlot.ObjectName) },
        Raw("objectRef.uid", FieldType.String, "Object UID, when known.", e => e.ObjectUid) with { Utf8 = Utf8Of(EventSlot.ObjectUid) },
        Raw("objectRef.apiGroup", FieldType.String, "API group; empty for the core group.", e => e.ApiGroup) with { Utf8 = Utf8Of(EventSlot.ObjectApiGroup) },
        Raw("objectRef.apiVersion", FieldType.String, "API version of the resource.", e => e.ObjectApiVersion) with { Utf8 = Utf8Of(EventSlot.ObjectApiVersion) },
        Raw("objectRef.resourceVersion", FieldType.String, "Resource version the request referred to.", e => e.ResourceVersion) with { Utf8 = Utf8Of(EventSlot.ObjectResourceVersion) },
        Raw("objectRef.subresource", FieldType.String, "Subresource, e.g. exec, log, status, token, scale.", e => e.Subresource) with { Utf8 = Utf8Of(EventSlot.ObjectSubresource) },
        Raw("responseStatus.code", FieldType.Int, "HTTP status code of the response (101 for exec/attach upgrades, 401 failed authentication, 403 forbidden).", e => e.ResponseCode == 0 ? null : BoxedCode(e.ResponseCode)),
        Raw("responseStatus.status", FieldType.String, "Success or Failure, for responses that carry a Status.", e => e.ResponseStatus) with { Utf8 = Utf8Of(EventSlot.StatusStatus) },
        Raw("responseStatus.reason", FieldType.String, "Machine-readable reason of a failure (Forbidden, NotFound, AlreadyExists …).", e => e.ResponseReason) with { Utf8 = Utf8Of(EventSlot.StatusReason) },
        Raw("responseStatus.message", FieldType.String, "Human-readable message of a failure.", e => e.ResponseMessage) with { Utf8 = Utf8Of(EventSlot.StatusMessage) },
        Raw("requestObject", FieldType.Json, "Request body (level Request or RequestResponse), redacted.", e => ParseJson(e.RequestObjectJson)),
        Raw("responseObject", FieldType.Json, "Response body (level RequestResponse), redacted.", e => ParseJson(e.ResponseObjectJson)),
        Raw("requestReceivedTimestamp", FieldType.Timestamp, "When the apiserver received the request.", e => e.RequestReceivedTimestamp),
        Raw("stageTimestamp", FieldType.Timestamp, "When the request reached this stage.", e => e.StageTimestamp),
        Raw("event", FieldType.Json, "The whole event as JSON (audit.k8s.io/v1, redacted when redaction is on), for parts no other field names: event.jsonValues('/a/b').", e => ParseJson(e.Json.Span)),
        Raw("annotations", FieldType.StringMap, "Annotations added by the apiserver: authorization decision and reason, Pod Security, admission webhooks.", e => e.Annotations),

        Derived("identity.name", FieldType.String, "Effective user: the impersonated user if any, else the authenticated user.", e => EffectiveName(e)),
        Derived("identity.groups", FieldType.StringList, "Groups of the effective user.", e => e.HasImpersonation ? e.ImpersonatedUserGroups : e.UserGroups),
        Derived("identity.kind", FieldType.String, "Kind of the effective user: human, serviceaccount, node, controlplane, anonymous, or unauthenticated (failed authentication).", e => Identify(e).Kind.ToWireName()),
        Derived("identity.impersonated", FieldType.Bool, "True when the request impersonated another user.", e => e.HasImpersonation),
        Derived("identity.serviceAccount.namespace", FieldType.String, "Namespace of the effective service account, when the effective user is one.", e => Identify(e).ServiceAccountNamespace),
        Derived("identity.serviceAccount.name", FieldType.String, "Name of the effective service account, when the effective user is one.", e => Identify(e).ServiceAccountName),
        Derived("identity.node", FieldType.String, "Node name, when the effective user is a kubelet (system:node:NAME).", e => Identify(e).NodeName),
        Derived("target", FieldType.String, "What the request acted on, as kubectl users read it: namespace/resource[.group]/name[/subresource], or the URI of a non-resource request.", e => Target(e)),
        Derived("sourceIP", FieldType.String, "First source IP: the original client when proxies set X-Forwarded-For.", e => e.SourceIp) with { Utf8 = Utf8Of(EventSlot.FirstSourceIp) },
        Derived("authorization.decision", FieldType.String, "allow or forbid, from the authorization.k8s.io/decision annotation; forbid for a 403 in logs that predate it.", e => Decision(e)),
        Derived("authorization.reason", FieldType.String, "Why the authorizer decided so (e.g. RBAC: allowed by ClusterRoleBinding …).", e => e.AuthorizationReason) with { Utf8 = Utf8Of(EventSlot.AuthorizationReason) },
        Derived("readOnly", FieldType.Bool, "True for get, list and watch: requests that cannot change the cluster.", e => IsReadOnly(e)),
        Derived("responseCodeClass", FieldType.String, "Response code class: 1xx, 2xx, 3xx, 4xx or 5xx; absent when there is no code.", e => CodeClass(e.ResponseCode)),
        Derived("latencyMs", FieldType.Int, "Milliseconds from request received to this stage.", e => LatencyMs(e)),
        Derived("cluster", FieldType.String, "Cluster the event came from, when its source names it.", e => e.Cluster) with { Utf8 = Utf8Of(EventSlot.Cluster) },
        Derived("format", FieldType.String, "Input format the event was read from (json-lines, event-list, gke-cloud-logging, eks-cloudwatch, aks-diagnostics …).", e => e.Format.ToDisplayName()),
    ];

    /// <summary>namespace/resource[.group]/name[/subresource], or the request URI for non-resource requests.</summary>
    public static string? Target(AuditEvent e)
    {
        if (!e.HasObjectRef)
        {
            return e.RequestUri;
        }

        var text = new System.Text.StringBuilder();
        if (!string.IsNullOrEmpty(e.Namespace))
        {
            text.Append(e.Namespace).Append('/');
        }

        text.Append(e.Resource);
        if (!string.IsNullOrEmpty(e.ApiGroup))
        {
            text.Append('.').Append(e.ApiGroup);
        }

        if (!string.IsNullOrEmpty(e.Name))
        {
            text.Append('/').Append(e.Name);
        }

        if (!string.IsNullOrEmpty(e.Subresource))
        {
            text.Append('/').Append(e.Subresource);
        }

        return text.ToString();
    }

    public static string? EffectiveName(AuditEvent e) => e.HasImpersonation ? e.ImpersonatedUserName : e.UserName;

    public static IdentityInfo Identify(AuditEvent e) =>
        IdentityClassifier.Classify(EffectiveName(e), e.HasImpersonation ? e.ImpersonatedUserGroups : e.UserGroups);

    public static bool IsReadOnly(AuditEvent e) => e.VerbUtf8.SequenceEqual("get"u8) || e.VerbUtf8.SequenceEqual("list"u8) || e.VerbUtf8.SequenceEqual("watch"u8);

    public static string? CodeClass(int code) => code switch
    {
        >= 100 and < 200 => "1xx",
        >= 200 and < 300 => "2xx",
        >= 300 and < 400 => "3xx",
        >= 400 and < 500 => "4xx",
        >= 500 and < 600 => "5xx",
        _ => null,
    };

    public static string? Decision(AuditEvent e) =>
        e.AuthorizationDecision ?? (e.ResponseCode == 403 && !e.IsPresent(EventSlot.Annotations) ? "forbid" : null);

    private static object? LatencyMs(AuditEvent e) =>
        e.RequestReceivedTimestamp is { } start && e.StageTimestamp is { } end ? (int)(end - start).TotalMilliseconds : null;

    private static JsonElement? ParseJson(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json.ToArray());
        return document.RootElement.Clone();
    }

    private static Utf8FieldGetter Utf8Of(EventSlot slot) => (AuditEvent e, out ReadOnlySpan<byte> utf8) => e.TryGetUtf8(slot, out utf8);

    /// <summary>Status codes boxed once: a rule reading the code must not allocate per event.</summary>
    private static readonly object[] BoxedCodes = Enumerable.Range(0, 600).Select(code => (object)code).ToArray();

    private static object BoxedCode(int code) => (uint)code < (uint)BoxedCodes.Length ? BoxedCodes[code] : code;

    private static FieldDefinition Raw(string name, FieldType type, string description, Func<AuditEvent, object?> extract) =>
        new(name, type, description, false, extract);

    private static FieldDefinition Derived(string name, FieldType type, string description, Func<AuditEvent, object?> extract) =>
        new(name, type, description, true, extract);
}
