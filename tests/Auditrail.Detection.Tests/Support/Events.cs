using System.Text;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.Detection.Tests.Support;

/// <summary>Reads audit events for tests, detached so they outlive the reader; a bad record fails the test.</summary>
public static class Events
{
    public static string FalcoTraces { get; } = Path.Combine(AppContext.BaseDirectory, "data", "falco-k8saudit", "trace_files");

    /// <summary>Every event under a path; diagnostics are ignored (the Falco folder holds one bad file on purpose).</summary>
    public static List<AuditEvent> ReadPath(string path)
    {
        var handler = new Collect(failOnError: false);
        new AuditLogReader().ReadPaths([path], handler);
        return handler.Events;
    }

    /// <summary>Every event of JSON text, which must be clean.</summary>
    public static List<AuditEvent> ReadText(string json)
    {
        var handler = new Collect(failOnError: true);
        new AuditLogReader().ReadBytes(Encoding.UTF8.GetBytes(json), "test", handler);
        return handler.Events;
    }

    private sealed class Collect(bool failOnError) : IAuditEventHandler
    {
        public List<AuditEvent> Events { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => Events.Add(auditEvent.Detach());

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
            if (failOnError && diagnostic.Severity == DiagnosticSeverity.Error)
            {
                throw new InvalidOperationException(diagnostic.ToString());
            }
        }
    }
}
