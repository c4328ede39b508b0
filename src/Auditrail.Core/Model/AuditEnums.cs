namespace Auditrail.Core.Model;

/// <summary>How much of a request the apiserver recorded (audit.k8s.io Level).</summary>
public enum AuditLevel : byte
{
    None,
    Metadata,
    Request,
    RequestResponse,
}

/// <summary>The point in the request's life at which the record was written.</summary>
public enum AuditStage : byte
{
    RequestReceived,
    ResponseStarted,
    ResponseComplete,
    Panic,
}

/// <summary>Which input format a record came from; counted by <c>auditrail read --stats</c>.</summary>
public enum InputFormat : byte
{
    /// <summary>One Event per line, as the log backend writes them.</summary>
    JsonLines,
    /// <summary>A pretty-printed single Event document.</summary>
    SingleEvent,
    /// <summary>An audit.k8s.io EventList, as the webhook backend POSTs it.</summary>
    EventList,
    /// <summary>A JSON array of Events.</summary>
    JsonArray,
    /// <summary>GKE Cloud Logging LogEntry (protoPayload AuditLog).</summary>
    GkeCloudLogging,
    /// <summary>EKS CloudWatch Logs record whose message is the Event as a JSON string.</summary>
    EksCloudWatch,
    /// <summary>AKS diagnostic record (category kube-audit or kube-audit-admin).</summary>
    AksDiagnostics,
}

public static class AuditEnumNames
{
    public static string ToWireName(this AuditLevel level) => level switch
    {
        AuditLevel.None => "None",
        AuditLevel.Metadata => "Metadata",
        AuditLevel.Request => "Request",
        _ => "RequestResponse",
    };

    public static string ToWireName(this AuditStage stage) => stage switch
    {
        AuditStage.RequestReceived => "RequestReceived",
        AuditStage.ResponseStarted => "ResponseStarted",
        AuditStage.ResponseComplete => "ResponseComplete",
        _ => "Panic",
    };

    public static string ToDisplayName(this InputFormat format) => format switch
    {
        InputFormat.JsonLines => "json-lines",
        InputFormat.SingleEvent => "single-event",
        InputFormat.EventList => "event-list",
        InputFormat.JsonArray => "json-array",
        InputFormat.GkeCloudLogging => "gke-cloud-logging",
        InputFormat.EksCloudWatch => "eks-cloudwatch",
        _ => "aks-diagnostics",
    };

    internal static bool TryParseLevel(ReadOnlySpan<byte> utf8, out AuditLevel level)
    {
        level = utf8.Length switch
        {
            4 when utf8.SequenceEqual("None"u8) => AuditLevel.None,
            8 when utf8.SequenceEqual("Metadata"u8) => AuditLevel.Metadata,
            7 when utf8.SequenceEqual("Request"u8) => AuditLevel.Request,
            15 when utf8.SequenceEqual("RequestResponse"u8) => AuditLevel.RequestResponse,
            _ => (AuditLevel)255,
        };
        return level != (AuditLevel)255;
    }

    internal static bool TryParseStage(ReadOnlySpan<byte> utf8, out AuditStage stage)
    {
        stage = utf8.Length switch
        {
            15 when utf8.SequenceEqual("RequestReceived"u8) => AuditStage.RequestReceived,
            15 when utf8.SequenceEqual("ResponseStarted"u8) => AuditStage.ResponseStarted,
            16 when utf8.SequenceEqual("ResponseComplete"u8) => AuditStage.ResponseComplete,
            5 when utf8.SequenceEqual("Panic"u8) => AuditStage.Panic,
            _ => (AuditStage)255,
        };
        return stage != (AuditStage)255;
    }
}
