using System.Text.Json;

namespace Auditrail.Core.Reading.Envelopes;

/// <summary>
/// Maps a GKE Cloud Logging LogEntry (protoPayload @type type.googleapis.com/google.cloud.audit.AuditLog,
/// resource.type "k8s_cluster", as <c>gcloud logging read --format json</c> writes it) to an audit.k8s.io/v1 Event.
/// </summary>
/// <remarks>
/// GKE keeps kube-apiserver's audit events but re-encodes them as Cloud Audit Logs, dropping the request URI,
/// the user's groups and the HTTP status. What it drops is rebuilt where the entry determines it and listed in
/// the <c>auditrail.io/derived-fields</c> annotation, so nobody mistakes a reconstruction for a record:
/// <list type="bullet">
/// <item><c>requestURI</c> is rebuilt from the resource name without the query string GKE did not keep.</item>
/// <item><c>responseStatus.code</c> comes from a <c>metav1.Status</c> response when there is one, else from the
/// google.rpc code (OK becomes 201 for a create and 101 for exec/attach/portforward, as kube-apiserver answers).</item>
/// <item><c>authorization.k8s.io/decision</c> comes from <c>authorizationInfo[].granted</c> when GKE's labels lack it.</item>
/// </list>
/// The level is the lowest one consistent with the bodies present (Metadata, Request or RequestResponse) and
/// both timestamps are the LogEntry's timestamp: GKE keeps one time per entry.
/// </remarks>
internal static class GkeLogEntryMapper
{
    public const string AuditLogType = "type.googleapis.com/google.cloud.audit.AuditLog";
    public const string SourceAnnotation = "auditrail.io/source";
    public const string SourceValue = "gke-cloud-logging";
    public const string DerivedFieldsAnnotation = "auditrail.io/derived-fields";
    public const string ClusterAnnotation = "auditrail.io/cluster";
    public const string ProjectAnnotation = "auditrail.io/gcp-project";
    public const string LocationAnnotation = "auditrail.io/gcp-location";
    public const string InsertIdAnnotation = "auditrail.io/gcp-insert-id";
    public const string CallerIpAnnotation = "auditrail.io/gcp-caller-ip";
    public const string DelegationAnnotation = "auditrail.io/gcp-delegation-chain";
    public const string DecisionAnnotation = "authorization.k8s.io/decision";

    /// <summary>True when the element looks like a GKE k8s audit LogEntry (has protoPayload with AuditLog @type or serviceName k8s.io).</summary>
    /// <remarks>
    /// Any Cloud Audit Log entry passes, including other services' (container.googleapis.com cluster operations
    /// share a sink with k8s.io more often than not); <see cref="TryWriteEvent"/> refuses those by serviceName.
    /// </remarks>
    public static bool IsGkeLogEntry(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("protoPayload", out var payload)
        && payload.ValueKind == JsonValueKind.Object
        && (HasString(payload, "@type", AuditLogType) || HasString(payload, "serviceName", "k8s.io"));

    /// <summary>Writes one complete Event JSON object to writer. Returns false with a reason (mention the JSON path, e.g. "$.protoPayload.methodName: missing") when the entry can't be mapped.</summary>
    /// <remarks>Nothing is written when it returns false.</remarks>
    public static bool TryWriteEvent(JsonElement logEntry, Utf8JsonWriter writer, out string? error)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!GkeAuditEntry.TryRead(logEntry, out var entry, out error))
        {
            return false;
        }

        Write(entry!, writer);
        return true;
    }

    private static void Write(GkeAuditEntry entry, Utf8JsonWriter writer)
    {
        var operation = entry.Operation;
        var derived = new List<string>(3) { "requestURI" };

        writer.WriteStartObject();
        writer.WriteString("kind", "Event");
        writer.WriteString("apiVersion", "audit.k8s.io/v1");
        writer.WriteString("level", entry.Response is not null ? "RequestResponse" : entry.Request is not null ? "Request" : "Metadata");
        writer.WriteString("auditID", entry.AuditId);

        // GKE exports the entry that closes a request (operation.last); an entry marked as not the last one is
        // the start of a long-running request (watch, exec) whose end comes in a later entry with the same id.
        writer.WriteString("stage", entry.IsLast ? "ResponseComplete" : "ResponseStarted");
        writer.WriteString("requestURI", operation.RequestUri);
        writer.WriteString("verb", operation.Verb);

        writer.WriteStartObject("user");
        if (entry.Username is not null)
        {
            writer.WriteString("username", entry.Username);
        }

        writer.WriteEndObject();
        if (entry.ImpersonatedUsername is not null)
        {
            writer.WriteStartObject("impersonatedUser");
            writer.WriteString("username", entry.ImpersonatedUsername);
            writer.WriteEndObject();
        }

        if (entry.CallerIp is not null)
        {
            writer.WriteStartArray("sourceIPs");
            writer.WriteStringValue(entry.CallerIp);
            writer.WriteEndArray();
        }

        if (entry.UserAgent is not null)
        {
            writer.WriteString("userAgent", entry.UserAgent);
        }

        if (operation.IsResourceRequest)
        {
            WriteObjectRef(operation, writer);
        }

        WriteResponseStatus(entry, writer, derived);
        if (entry.Request is { } request)
        {
            writer.WritePropertyName("requestObject");
            GkeEmbeddedObject.Write(request, writer);
        }

        if (entry.Response is { } response)
        {
            writer.WritePropertyName("responseObject");
            GkeEmbeddedObject.Write(response, writer);
        }

        writer.WriteString("requestReceivedTimestamp", entry.Timestamp);
        writer.WriteString("stageTimestamp", entry.Timestamp);
        WriteAnnotations(entry, writer, derived);
        writer.WriteEndObject();
    }

    private static void WriteObjectRef(GkeOperation operation, Utf8JsonWriter writer)
    {
        // Field order and omissions follow kube-apiserver: apiGroup is left out for the core group.
        writer.WriteStartObject("objectRef");
        writer.WriteString("resource", operation.Resource);
        if (operation.Namespace is not null)
        {
            writer.WriteString("namespace", operation.Namespace);
        }

        if (operation.Name is not null)
        {
            writer.WriteString("name", operation.Name);
        }

        if (operation.ApiGroup.Length > 0)
        {
            writer.WriteString("apiGroup", operation.ApiGroup);
        }

        writer.WriteString("apiVersion", operation.ApiVersion);
        if (operation.Subresource is not null)
        {
            writer.WriteString("subresource", operation.Subresource);
        }

        writer.WriteEndObject();
    }

    private static void WriteResponseStatus(GkeAuditEntry entry, Utf8JsonWriter writer, List<string> derived)
    {
        // A metav1.Status response is kube-apiserver's own answer: exact code, reason and message.
        JsonElement? status = entry.Response is { } response && GkeEmbeddedObject.IsStatus(response) ? response : null;
        long? statusCode = null;
        if (status is { } s && s.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var exact))
        {
            statusCode = exact;
        }

        if (statusCode is null)
        {
            GoogleRpcCode.TryToHttpStatus(entry.RpcCode, out var http);
            if (entry.RpcCode == GoogleRpcCode.Ok)
            {
                http = entry.Operation.IsConnectUpgrade ? 101 : entry.Operation.IsCreate ? 201 : 200;
            }

            statusCode = http;
            derived.Add("responseStatus.code");
        }

        writer.WriteStartObject("responseStatus");
        writer.WriteStartObject("metadata");
        writer.WriteEndObject();
        var failed = statusCode >= 400;
        if (status is { } body)
        {
            CopyString(body, "status", writer);
            CopyString(body, "message", writer);
            CopyString(body, "reason", writer);
            if (body.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object)
            {
                writer.WritePropertyName("details");
                details.WriteTo(writer);
            }
        }
        else if (failed)
        {
            writer.WriteString("status", "Failure");
            if (entry.RpcMessage is not null)
            {
                writer.WriteString("message", entry.RpcMessage);
            }
        }

        writer.WriteNumber("code", statusCode.Value);
        writer.WriteEndObject();
    }

    private static void WriteAnnotations(GkeAuditEntry entry, Utf8JsonWriter writer, List<string> derived)
    {
        // GKE moves the event's annotations (authorization decision and reason, pod-security, admission webhook
        // results) into the LogEntry's labels; they go back, then Auditrail's own notes follow.
        var annotations = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in entry.Labels)
        {
            annotations[key] = value;
        }

        if (!annotations.ContainsKey(DecisionAnnotation) && entry.Granted is { } granted)
        {
            annotations[DecisionAnnotation] = granted ? "allow" : "forbid";
            derived.Add("annotations." + DecisionAnnotation);
        }

        annotations[SourceAnnotation] = SourceValue;
        annotations[DerivedFieldsAnnotation] = string.Join(',', derived);
        AddIfPresent(annotations, ClusterAnnotation, entry.ClusterName);
        AddIfPresent(annotations, ProjectAnnotation, entry.ProjectId);
        AddIfPresent(annotations, LocationAnnotation, entry.Location);
        AddIfPresent(annotations, InsertIdAnnotation, entry.InsertId);
        AddIfPresent(annotations, CallerIpAnnotation, entry.UnparsedCallerIp);
        if (entry.DelegationChain.Count > 0)
        {
            annotations[DelegationAnnotation] = string.Join(',', entry.DelegationChain);
        }

        writer.WriteStartObject("annotations");
        foreach (var (key, value) in annotations)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static void AddIfPresent(OrderedDictionary<string, string> annotations, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            annotations[key] = value;
        }
    }

    private static void CopyString(JsonElement body, string name, Utf8JsonWriter writer)
    {
        if (body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
        {
            writer.WriteString(name, value.GetString());
        }
    }

    private static bool HasString(JsonElement element, string name, string expected) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.ValueEquals(expected);
}
