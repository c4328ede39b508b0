using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.Core.Tests.Support;

/// <summary>Keeps a detached copy of every event and every diagnostic, with where each event was.</summary>
public sealed class CollectingHandler : IAuditEventHandler
{
    public List<AuditEvent> Events { get; } = [];
    public List<RecordLocation> Locations { get; } = [];
    public List<ReadDiagnostic> Diagnostics { get; } = [];

    public IEnumerable<ReadDiagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

    public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
    {
        Events.Add(auditEvent.Detach());
        Locations.Add(location);
    }

    public void OnDiagnostic(ReadDiagnostic diagnostic) => Diagnostics.Add(diagnostic);

    public static CollectingHandler ReadText(string text, AuditReaderOptions? options = null) =>
        ReadBytes(System.Text.Encoding.UTF8.GetBytes(text), options);

    public static CollectingHandler ReadBytes(byte[] bytes, AuditReaderOptions? options = null, string source = "test")
    {
        var handler = new CollectingHandler();
        new AuditLogReader(options).ReadBytes(bytes, source, handler);
        return handler;
    }

    public static CollectingHandler ReadPaths(params string[] paths)
    {
        var handler = new CollectingHandler();
        new AuditLogReader().ReadPaths(paths, handler);
        return handler;
    }
}

/// <summary>A stream that hands out at most a few bytes per read, to exercise every buffer boundary.</summary>
public sealed class TrickleStream(byte[] data, int maxChunk) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => data.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, maxChunk), data.Length - _position);
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Small, realistic events for tests that build inputs.</summary>
public static class SampleEvents
{
    public static string Event(string auditId = "a1", string verb = "get", string stage = "ResponseComplete", string extra = "") =>
        $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{auditId}}","stage":"{{stage}}","requestURI":"/api/v1/namespaces/default/pods/p","verb":"{{verb}}","user":{"username":"alice","groups":["dev","system:authenticated"]},"sourceIPs":["10.0.0.1"],"userAgent":"kubectl/v1.30.2","objectRef":{"resource":"pods","namespace":"default","name":"p","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-01-01T00:00:00.000001Z","stageTimestamp":"2024-01-01T00:00:00.002001Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}{{extra}}}""";

    public static string Lines(int count) => string.Join('\n', Enumerable.Range(0, count).Select(i => Event($"id-{i}"))) + "\n";
}
