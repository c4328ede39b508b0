using System.Text.Json.Nodes;

namespace Auditrail.Core.Tests.Redaction;

/// <summary>Builds audit.k8s.io/v1 Events around hand-written request and response bodies.</summary>
internal static class AuditEvents
{
    public static string Secrets(string verb, string? request = null, string? response = null) =>
        Build(verb, """{"resource":"secrets","namespace":"payments","name":"db-credentials","apiVersion":"v1"}""", request, response);

    public static string Build(
        string verb, string objectRef, string? request = null, string? response = null, string? extra = null)
    {
        var auditEvent = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = "RequestResponse",
            ["auditID"] = "4b1c3c84-0000-4000-8000-000000000001",
            ["stage"] = "ResponseComplete",
            ["requestURI"] = "/api/v1/namespaces/payments/secrets/db-credentials",
            ["verb"] = verb,
            ["user"] = new JsonObject { ["username"] = "jane@example.com" },
            ["objectRef"] = JsonNode.Parse(objectRef),
            ["responseStatus"] = new JsonObject { ["metadata"] = new JsonObject(), ["code"] = 200 },
        };
        if (request is not null)
        {
            auditEvent["requestObject"] = JsonNode.Parse(request);
        }

        if (response is not null)
        {
            auditEvent["responseObject"] = JsonNode.Parse(response);
        }

        if (extra is not null)
        {
            foreach (var (name, value) in JsonNode.Parse(extra)!.AsObject())
            {
                auditEvent[name] = value?.DeepClone();
            }
        }

        return auditEvent.ToJsonString();
    }
}
