using System.Text;
using System.Text.Json;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;

namespace Auditrail.Rbac.Tests.AuditLog;

/// <summary>Builds audit events as the apiserver writes them and reads them through the real reader.</summary>
internal static class TestEvents
{
    private static int _ids;

    /// <summary>One audit.k8s.io/v1 event line; <paramref name="objectRef"/> null makes a non-resource request.</summary>
    public static string Line(string user, string verb, string uri, object? objectRef, int code = 200, string stage = "ResponseComplete",
        string? auditId = null, object? impersonated = null, string[]? groups = null, string time = "2024-05-01T10:00:00Z", string? decision = null)
    {
        var e = new Dictionary<string, object?>
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = "Metadata",
            ["auditID"] = auditId ?? $"id-{Interlocked.Increment(ref _ids)}",
            ["stage"] = stage,
            ["requestURI"] = uri,
            ["verb"] = verb,
            ["user"] = new { username = user, groups = groups ?? ["system:authenticated"] },
            ["requestReceivedTimestamp"] = time,
            ["stageTimestamp"] = time,
        };
        if (objectRef is not null)
        {
            e["objectRef"] = objectRef;
        }

        if (impersonated is not null)
        {
            e["impersonatedUser"] = impersonated;
        }

        if (stage != "RequestReceived")
        {
            e["responseStatus"] = new { code };
        }

        if (decision is not null)
        {
            e["annotations"] = new Dictionary<string, string> { ["authorization.k8s.io/decision"] = decision };
        }

        return JsonSerializer.Serialize(e);
    }

    /// <summary>Reads the lines through <see cref="AuditLogReader"/> into a collector.</summary>
    public static LoggedRequestCollector Collect(IEnumerable<string> lines, Func<RequestAttributes, bool>? keep = null)
    {
        var collector = new LoggedRequestCollector(keep);
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        new AuditLogReader().ReadBytes(bytes, "test", new Handler(collector));
        return collector;
    }

    /// <summary>Reads a log file of the test data into a collector.</summary>
    public static LoggedRequestCollector CollectFile(string path, Func<RequestAttributes, bool>? keep = null)
    {
        var collector = new LoggedRequestCollector(keep);
        new AuditLogReader().ReadPaths([path], new Handler(collector));
        return collector;
    }

    public static string DataPath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "data", .. parts]);

    private sealed class Handler(LoggedRequestCollector collector) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => collector.Add(auditEvent);

        public void OnDiagnostic(ReadDiagnostic diagnostic) => throw new InvalidOperationException(diagnostic.ToString());
    }
}
