using System.Text;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.AuditPolicy.Tests.Support;

/// <summary>Builds audit events from JSON the way the reader does, so tests exercise the real event model.</summary>
public static class Events
{
    public static string Data(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "data", .. parts]);

    public static AuditEvent Parse(string json) => ParseAll(json).Single();

    public static List<AuditEvent> ParseAll(string jsonLines)
    {
        var collector = new Collector();
        new AuditLogReader().ReadBytes(Encoding.UTF8.GetBytes(jsonLines), "test", collector);
        Assert.Empty(collector.Diagnostics);
        return collector.Events;
    }

    public static List<AuditEvent> ReadFiles(params string[] paths)
    {
        var collector = new Collector();
        new AuditLogReader().ReadPaths(paths, collector);
        return collector.Events;
    }

    /// <summary>
    /// An event for a request: a resource request when <paramref name="resource"/> is set (objectRef),
    /// otherwise a non-resource request for <paramref name="uri"/>. A null <paramref name="user"/> is a
    /// failed authentication (<c>"user":{}</c>).
    /// </summary>
    public static AuditEvent Request(string verb, string? user = "alice", string[]? groups = null, string? resource = null, string group = "",
        string? ns = null, string? name = null, string? subresource = null, string uri = "/", string stage = "ResponseComplete", string level = "Metadata")
    {
        var json = new StringBuilder();
        json.Append($$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"{{level}}","auditID":"{{Guid.NewGuid()}}","stage":"{{stage}}","requestURI":"{{uri}}","verb":"{{verb}}",""");
        json.Append(user is null ? "\"user\":{}" : $$"""
            "user":{"username":"{{user}}","groups":[{{string.Join(",", (groups ?? []).Select(g => $"\"{g}\""))}}]}
            """);
        if (resource is not null)
        {
            var fields = new List<string> { $"\"resource\":\"{resource}\"" };
            if (ns is not null)
            {
                fields.Add($"\"namespace\":\"{ns}\"");
            }

            if (name is not null)
            {
                fields.Add($"\"name\":\"{name}\"");
            }

            if (group.Length > 0)
            {
                fields.Add($"\"apiGroup\":\"{group}\"");
            }

            if (subresource is not null)
            {
                fields.Add($"\"subresource\":\"{subresource}\"");
            }

            json.Append($",\"objectRef\":{{{string.Join(",", fields)}}}");
        }

        json.Append(",\"responseStatus\":{\"metadata\":{},\"code\":200}}");
        return Parse(json.ToString());
    }

    private sealed class Collector : IAuditEventHandler
    {
        public List<AuditEvent> Events { get; } = [];

        public List<ReadDiagnostic> Diagnostics { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => Events.Add(auditEvent.Detach());

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Diagnostics.Add(diagnostic);
    }
}
