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

    /// <summary>
    /// Eight requests in eight minutes from <see cref="Start"/> that the query tests ask about, in the store
    /// and through the REST API alike: reads, changes and a delete of pod web, an exec and a secret read
    /// refused to mallory, an anonymous 401, and one request of cluster prod-eu.
    /// </summary>
    public static string[] QueryScenario() =>
    [
        Event("g1", Start, verb: "get", user: "alice", name: "web"),
        Event("u1", Start.AddMinutes(1), verb: "patch", user: "alice", name: "web"),
        Event("d1", Start.AddMinutes(2), verb: "delete", user: "system:serviceaccount:ci:deployer", name: "web", sourceIp: "10.1.0.9"),
        Event("c1", Start.AddMinutes(3), verb: "create", user: "alice", resource: "deployments", apiGroup: "apps", name: "api"),
        Event("x1", Start.AddMinutes(4), verb: "create", user: "mallory", name: "web", subresource: "exec", code: 403, decision: "forbid", sourceIp: "203.0.113.7"),
        Event("x2", Start.AddMinutes(5), verb: "get", user: "mallory", resource: "secrets", name: "db", code: 403, decision: "forbid", sourceIp: "203.0.113.7"),
        Event("n1", Start.AddMinutes(6), verb: "list", user: "system:anonymous", resource: "pods", name: null, code: 401, decision: null, sourceIp: "198.51.100.2"),
        Event("o1", Start.AddMinutes(7), verb: "get", user: "alice", cluster: "prod-eu"),
    ];

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void AddIf(Dictionary<string, object?> map, string key, string? value)
    {
        if (value is not null)
        {
            map[key] = value;
        }
    }
}
