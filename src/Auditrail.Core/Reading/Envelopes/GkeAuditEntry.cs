using System.Net;
using System.Text.Json;

namespace Auditrail.Core.Reading.Envelopes;

/// <summary>
/// The fields of a GKE LogEntry that an audit Event is built from, read and checked before anything is written,
/// so a broken entry fails with its JSON path and leaves the writer untouched.
/// </summary>
internal sealed class GkeAuditEntry
{
    private const string KubernetesServiceName = "k8s.io";

    private GkeAuditEntry(GkeOperation operation)
    {
        Operation = operation;
    }

    public GkeOperation Operation { get; }
    public string AuditId { get; private set; } = "";
    /// <summary>The LogEntry's own id, kept only when it differs from the auditID.</summary>
    public string? InsertId { get; private set; }
    /// <summary>False only when <c>operation.last</c> says more entries of this request follow.</summary>
    public bool IsLast { get; private set; } = true;
    public string Timestamp { get; private set; } = "";
    public string? Username { get; private set; }
    public string? ImpersonatedUsername { get; private set; }
    public List<string> DelegationChain { get; } = [];
    public string? CallerIp { get; private set; }
    public string? UnparsedCallerIp { get; private set; }
    public string? UserAgent { get; private set; }
    public long RpcCode { get; private set; }
    public string? RpcMessage { get; private set; }
    public JsonElement? Request { get; private set; }
    public JsonElement? Response { get; private set; }
    public List<KeyValuePair<string, string>> Labels { get; } = [];
    /// <summary>Null when the entry has no authorizationInfo; else whether every check was granted.</summary>
    public bool? Granted { get; private set; }
    public string? ClusterName { get; private set; }
    public string? ProjectId { get; private set; }
    public string? Location { get; private set; }

    public static bool TryRead(JsonElement logEntry, out GkeAuditEntry? entry, out string? error)
    {
        entry = null;
        if (logEntry.ValueKind != JsonValueKind.Object)
        {
            error = $"$: expected a LogEntry object, got {JsonFields.Describe(logEntry)}";
            return false;
        }

        if (!JsonFields.TryGetObject(logEntry, "protoPayload", "$", out var payloadOrNull, out error))
        {
            return false;
        }

        if (payloadOrNull is not { } payload)
        {
            error = "$.protoPayload: missing";
            return false;
        }

        const string payloadPath = "$.protoPayload";
        if (!JsonFields.TryGetString(payload, "serviceName", payloadPath, out var serviceName, out error))
        {
            return false;
        }

        if (serviceName is not null && serviceName != KubernetesServiceName)
        {
            error = $"$.protoPayload.serviceName: '{serviceName}' is not a Kubernetes API audit entry (expected {KubernetesServiceName})";
            return false;
        }

        if (!TryReadRequired(payload, "methodName", payloadPath, out var methodName, out error)
            || !TryReadRequired(payload, "resourceName", payloadPath, out var resourceName, out error)
            || !GkeOperation.TryParse(methodName, resourceName, out var operation, out error))
        {
            return false;
        }

        var read = new GkeAuditEntry(operation!);
        if (!read.TryReadEnvelope(logEntry, out error)
            || !read.TryReadIdentity(payload, out error)
            || !read.TryReadRequestMetadata(payload, out error)
            || !read.TryReadStatus(payload, out error)
            || !read.TryReadAuthorization(payload, out error)
            || !read.TryReadBodies(payload, out error))
        {
            return false;
        }

        entry = read;
        return true;
    }

    private static bool TryReadRequired(JsonElement parent, string name, string parentPath, out string value, out string? error)
    {
        value = "";
        if (!JsonFields.TryGetString(parent, name, parentPath, out var read, out error))
        {
            return false;
        }

        if (read is null)
        {
            error = $"{JsonFields.Child(parentPath, name)}: missing";
            return false;
        }

        value = read;
        return true;
    }

    private bool TryReadEnvelope(JsonElement logEntry, out string? error)
    {
        if (!JsonFields.TryGetObject(logEntry, "operation", "$", out var operation, out error)
            || !JsonFields.TryGetString(logEntry, "insertId", "$", out var insertId, out error))
        {
            return false;
        }

        string? operationId = null;
        if (operation is { } op)
        {
            if (!JsonFields.TryGetString(op, "id", "$.operation", out operationId, out error)
                || !JsonFields.TryGetBoolean(op, "last", "$.operation", out var last, out error))
            {
                return false;
            }

            IsLast = last ?? true;
        }

        // GKE writes kube-apiserver's auditID as operation.id (and, today, as insertId too). insertId is only
        // Cloud Logging's de-duplication key, so it stands in for the auditID only when operation is missing.
        var auditId = string.IsNullOrEmpty(operationId) ? insertId : operationId;
        if (string.IsNullOrEmpty(auditId))
        {
            error = "$.operation.id: missing, and so is $.insertId";
            return false;
        }

        AuditId = auditId;
        InsertId = string.IsNullOrEmpty(insertId) || insertId == auditId ? null : insertId;

        // timestamp is when kube-apiserver recorded the event; receiveTimestamp is when Cloud Logging ingested
        // it, seconds to minutes later, and says nothing about the request.
        if (!TryReadRequired(logEntry, "timestamp", "$", out var timestamp, out error))
        {
            return false;
        }

        if (!Rfc3339.TryNormalizeToMicroTime(timestamp, out var microTime))
        {
            error = $"$.timestamp: '{timestamp}' is not an RFC 3339 time";
            return false;
        }

        Timestamp = microTime;
        return TryReadLabels(logEntry, out error) && TryReadResource(logEntry, out error);
    }

    private bool TryReadLabels(JsonElement logEntry, out string? error)
    {
        if (!JsonFields.TryGetObject(logEntry, "labels", "$", out var labels, out error))
        {
            return false;
        }

        if (labels is not { } map)
        {
            return true;
        }

        foreach (var label in map.EnumerateObject())
        {
            if (label.Value.ValueKind != JsonValueKind.String)
            {
                error = $"{JsonFields.Child("$.labels", label.Name)}: expected a string, got {JsonFields.Describe(label.Value)}";
                return false;
            }

            Labels.Add(new(label.Name, label.Value.GetString()!));
        }

        return true;
    }

    private bool TryReadResource(JsonElement logEntry, out string? error)
    {
        if (!JsonFields.TryGetObject(logEntry, "resource", "$", out var resource, out error))
        {
            return false;
        }

        if (resource is not { } r)
        {
            return true;
        }

        if (!JsonFields.TryGetObject(r, "labels", "$.resource", out var labels, out error))
        {
            return false;
        }

        if (labels is not { } l)
        {
            return true;
        }

        if (!JsonFields.TryGetString(l, "cluster_name", "$.resource.labels", out var cluster, out error)
            || !JsonFields.TryGetString(l, "project_id", "$.resource.labels", out var project, out error)
            || !JsonFields.TryGetString(l, "location", "$.resource.labels", out var location, out error))
        {
            return false;
        }

        ClusterName = cluster;
        ProjectId = project;
        Location = location;
        return true;
    }

    private bool TryReadIdentity(JsonElement payload, out string? error)
    {
        const string path = "$.protoPayload.authenticationInfo";
        if (!JsonFields.TryGetObject(payload, "authenticationInfo", "$.protoPayload", out var info, out error))
        {
            return false;
        }

        if (info is not { } authn)
        {
            // kube-apiserver audits failed authentication with an empty user; GKE then has nothing to write.
            return true;
        }

        if (!JsonFields.TryGetString(authn, "principalEmail", path, out var email, out error)
            || !JsonFields.TryGetString(authn, "principalSubject", path, out var subject, out error)
            || !JsonFields.TryGetString(authn, "authoritySelector", path, out var selector, out error)
            || !JsonFields.TryGetArray(authn, "serviceAccountDelegationInfo", path, out var delegation, out error))
        {
            return false;
        }

        // principalEmail holds the Kubernetes username as authenticated, not only e-mail addresses:
        // "system:serviceaccount:ns:name", "system:anonymous", "kubelet". With impersonation (kubectl --as, an
        // authenticating proxy) it stays the real caller and authoritySelector names the impersonated user.
        Username = string.IsNullOrEmpty(email) ? subject : email;
        ImpersonatedUsername = string.IsNullOrEmpty(selector) ? null : selector;
        return delegation is not { } chain || TryReadDelegation(chain, path + ".serviceAccountDelegationInfo", out error);
    }

    private bool TryReadDelegation(JsonElement chain, string path, out string? error)
    {
        error = null;
        var index = 0;
        foreach (var link in chain.EnumerateArray())
        {
            var linkPath = $"{path}[{index++}]";
            if (link.ValueKind != JsonValueKind.Object)
            {
                error = $"{linkPath}: expected an object, got {JsonFields.Describe(link)}";
                return false;
            }

            if (!JsonFields.TryGetString(link, "principalSubject", linkPath, out var subject, out error)
                || !JsonFields.TryGetObject(link, "firstPartyPrincipal", linkPath, out var firstParty, out error))
            {
                return false;
            }

            string? email = null;
            if (firstParty is { } fp
                && !JsonFields.TryGetString(fp, "principalEmail", linkPath + ".firstPartyPrincipal", out email, out error))
            {
                return false;
            }

            var who = string.IsNullOrEmpty(email) ? subject : email;
            if (!string.IsNullOrEmpty(who))
            {
                DelegationChain.Add(who);
            }
        }

        return true;
    }

    private bool TryReadRequestMetadata(JsonElement payload, out string? error)
    {
        const string path = "$.protoPayload.requestMetadata";
        if (!JsonFields.TryGetObject(payload, "requestMetadata", "$.protoPayload", out var metadata, out error))
        {
            return false;
        }

        if (metadata is not { } m)
        {
            return true;
        }

        if (!JsonFields.TryGetString(m, "callerIp", path, out var callerIp, out error)
            || !JsonFields.TryGetString(m, "callerSuppliedUserAgent", path, out var userAgent, out error))
        {
            return false;
        }

        // sourceIPs must hold addresses (rules test them with CIDR functions); Google writes placeholders such as
        // "gce-internal-ip" or "private" for some callers, which are kept aside instead.
        if (!string.IsNullOrEmpty(callerIp))
        {
            if (IPAddress.TryParse(callerIp, out _))
            {
                CallerIp = callerIp;
            }
            else
            {
                UnparsedCallerIp = callerIp;
            }
        }

        UserAgent = string.IsNullOrEmpty(userAgent) ? null : userAgent;
        return true;
    }

    private bool TryReadStatus(JsonElement payload, out string? error)
    {
        if (!JsonFields.TryGetObject(payload, "status", "$.protoPayload", out var status, out error))
        {
            return false;
        }

        if (status is not { } s)
        {
            return true;
        }

        // Protobuf's JSON form omits zero values, so a successful request carries "status": {}.
        if (!JsonFields.TryGetInteger(s, "code", "$.protoPayload.status", out var code, out error)
            || !JsonFields.TryGetString(s, "message", "$.protoPayload.status", out var message, out error))
        {
            return false;
        }

        RpcCode = code ?? GoogleRpcCode.Ok;
        if (!GoogleRpcCode.TryToHttpStatus(RpcCode, out _))
        {
            error = $"$.protoPayload.status.code: {RpcCode} is not a google.rpc.Code (0-16)";
            return false;
        }

        RpcMessage = string.IsNullOrEmpty(message) ? null : message;
        return true;
    }

    private bool TryReadAuthorization(JsonElement payload, out string? error)
    {
        const string path = "$.protoPayload.authorizationInfo";
        if (!JsonFields.TryGetArray(payload, "authorizationInfo", "$.protoPayload", out var checks, out error))
        {
            return false;
        }

        if (checks is not { } list)
        {
            return true;
        }

        var index = 0;
        foreach (var check in list.EnumerateArray())
        {
            var checkPath = $"{path}[{index++}]";
            if (check.ValueKind != JsonValueKind.Object)
            {
                error = $"{checkPath}: expected an object, got {JsonFields.Describe(check)}";
                return false;
            }

            if (!JsonFields.TryGetBoolean(check, "granted", checkPath, out var granted, out error))
            {
                return false;
            }

            // An absent "granted" is false: protobuf's JSON form leaves out false booleans.
            Granted = (Granted ?? true) && granted == true;
        }

        return true;
    }

    private bool TryReadBodies(JsonElement payload, out string? error)
    {
        error = null;
        if (payload.TryGetProperty("request", out var request) && request.ValueKind != JsonValueKind.Null)
        {
            Request = request;
        }

        if (payload.TryGetProperty("response", out var response) && response.ValueKind != JsonValueKind.Null)
        {
            Response = response;
        }

        return true;
    }
}
