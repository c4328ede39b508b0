using System.Globalization;
using System.Text.Json;

namespace Auditrail.Storage.Tests;

/// <summary>Builds audit.k8s.io/v1 Event lines as the apiserver's log backend writes them.</summary>
internal static class AuditLines
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static string Event(
        string auditId,
        DateTimeOffset received,
        string verb = "get",
        string user = "alice",
        string stage = "ResponseComplete",
        string resource = "pods",
        string? ns = "default",
        string? name = "web",
        string? subresource = null,
        string? apiGroup = null,
        int code = 200,
        string sourceIp = "10.0.0.5",
        string? decision = "allow",
        string? cluster = null,
        string[]? groups = null,
        TimeSpan? latency = null,
        string? impersonating = null)
    {
        var stageTime = stage == "RequestReceived" ? received : received + (latency ?? TimeSpan.FromMilliseconds(20));
        var objectRef = new Dictionary<string, object?> { ["resource"] = resource, ["apiVersion"] = "v1" };
        AddIf(objectRef, "namespace", ns);
        AddIf(objectRef, "name", name);
        AddIf(objectRef, "subresource", subresource);
        AddIf(objectRef, "apiGroup", apiGroup);
        var annotations = new Dictionary<string, string>();
        if (decision is not null)
        {
            annotations["authorization.k8s.io/decision"] = decision;
            annotations["authorization.k8s.io/reason"] = decision == "allow" ? "RBAC: allowed by ClusterRoleBinding \"admins\"" : string.Empty;
        }

        if (cluster is not null)
        {
            annotations["auditrail.io/cluster"] = cluster;
        }

        var path = $"/api/v1/namespaces/{ns}/{resource}" + (name is null ? string.Empty : "/" + name) + (subresource is null ? string.Empty : "/" + subresource);
        var body = new Dictionary<string, object?>
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = "Metadata",
            ["auditID"] = auditId,
            ["stage"] = stage,
            ["requestURI"] = path,
            ["verb"] = verb,
            ["user"] = new Dictionary<string, object?> { ["username"] = user, ["groups"] = groups ?? ["system:authenticated"] },
            ["sourceIPs"] = new[] { sourceIp },
            ["userAgent"] = "kubectl/v1.31.0 (linux/amd64)",
            ["objectRef"] = objectRef,
            ["requestReceivedTimestamp"] = Format(received),
            ["stageTimestamp"] = Format(stageTime),
            ["annotations"] = annotations,
        };
        if (impersonating is not null)
        {
            body["impersonatedUser"] = new Dictionary<string, object?> { ["username"] = impersonating };
        }

        if (stage != "RequestReceived")
        {
            body["responseStatus"] = new Dictionary<string, object?> { ["metadata"] = new { }, ["code"] = code };
        }

        return JsonSerializer.Serialize(body);
    }

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void AddIf(Dictionary<string, object?> map, string key, string? value)
    {
        if (value is not null)
        {
            map[key] = value;
        }
    }
}
