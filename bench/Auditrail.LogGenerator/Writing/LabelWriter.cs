using System.Text.Json;
using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Writing;

/// <summary>
/// Ground truth for detection benchmarks: one JSON line per attack request written to the log, with its
/// auditID, the scenario kind and the scenario number (requests of one scenario share the number).
/// </summary>
internal sealed class LabelWriter(Stream stream) : IDisposable
{
    private readonly OutputBuffer _output = new(stream, 1 << 16);
    private Utf8JsonWriter? _json;

    public void Write(AuditRequest r)
    {
        var w = _json ??= new Utf8JsonWriter(_output, JsonOutput.WriterOptions);
        Span<byte> id = stackalloc byte[Uuid.Length];
        r.AuditId.Format(id);
        w.WriteStartObject();
        w.WriteString("auditID"u8, id);
        w.WriteString("attack"u8, r.Attack!.Value.ToString());
        w.WriteNumber("scenario"u8, r.Scenario);
        w.WriteEndObject();
        w.Flush();
        _output.WriteByte((byte)'\n');
        w.Reset();
    }

    public void Dispose()
    {
        _json?.Dispose();
        _output.Flush();
    }
}
