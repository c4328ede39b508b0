using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Auditrail.Cli.Tests.Commands.Serve;

/// <summary>One EventList body as kube-apiserver posts it, and the auditIDs in it that should alert.</summary>
internal sealed record AuditBatch(string Body, IReadOnlyList<string> AuditIds, IReadOnlyList<string> TriggerIds)
{
    public HttpContent Content()
    {
        var content = new StringContent(Body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}

/// <summary>
/// Audit events for the server tests: ordinary reads, and people deleting Events, which the default
/// pack's stateless rule <see cref="TriggerRule"/> alerts on once per request.
/// </summary>
internal static class AuditBatches
{
    public const string TriggerRule = "events-deleted";

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Batch <paramref name="number"/> of <paramref name="events"/> events, every <paramref name="triggerEvery"/>-th
    /// a trigger; auditIDs are derived from the numbers, so a resent batch carries the same ones.
    /// </summary>
    public static AuditBatch Make(int number, int events, int triggerEvery)
    {
        var ids = new List<string>();
        var triggers = new List<string>();
        var body = new StringBuilder("""{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[""");
        for (var i = 0; i < events; i++)
        {
            var id = $"{number:x8}-0000-4000-8000-{i:x12}";
            var trigger = triggerEvery > 0 && i % triggerEvery == 0;
            ids.Add(id);
            if (trigger)
            {
                triggers.Add(id);
            }

            body.Append(i > 0 ? "," : string.Empty).Append(Event(id, trigger, Start.AddMilliseconds(10.0 * ((number * events) + i))));
        }

        return new AuditBatch(body.Append("]}").ToString(), ids, triggers);
    }

    public static string Event(string auditId, bool trigger, DateTimeOffset time)
    {
        var (verb, resource, user) = trigger ? ("delete", "events", "mallory@example.com") : ("get", "configmaps", "alice@example.com");
        var stamp = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        return $$"""
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{auditId}}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/{{resource}}/web-1","verb":"{{verb}}","user":{"username":"{{user}}","groups":["developers","system:authenticated"]},"sourceIPs":["10.0.4.7"],"userAgent":"kubectl/v1.30.2","objectRef":{"resource":"{{resource}}","namespace":"payments","name":"web-1","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"{{stamp}}","stageTimestamp":"{{stamp}}"}
            """;
    }
}
