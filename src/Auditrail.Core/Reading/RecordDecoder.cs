using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Auditrail.Core.Model;
using Auditrail.Core.Parsing;
using Auditrail.Core.Reading.Envelopes;
using Auditrail.Core.Redaction;

namespace Auditrail.Core.Reading;

/// <summary>Where a complete JSON value sits and how to name it in events and diagnostics.</summary>
internal readonly record struct DecodeContext(
    string Source,
    long Line,
    long ByteOffset,
    string ContainerPath,
    int Index,
    InputFormat PlainEventFormat,
    int Depth = 0)
{
    public string JsonPath => Index < 0 ? ContainerPath : $"{ContainerPath}[{Index}]";

    public DecodeContext Child(string containerPath, int index, InputFormat plainFormat, long byteOffset) =>
        this with { ContainerPath = containerPath, Index = index, PlainEventFormat = plainFormat, ByteOffset = byteOffset, Depth = Depth + 1 };
}

internal enum DecodeOutcome
{
    Handled,
    /// <summary>The bytes are not valid JSON; reported only when the caller asked for it.</summary>
    MalformedJson,
}

/// <summary>
/// Turns one complete JSON value held in memory into events: a plain Event, or any envelope that wraps
/// Events (EventList, arrays, AKS records, EKS CloudWatch records, GKE LogEntries). Redacts, then hands
/// each event to the handler; every value that yields no event yields a diagnostic instead.
/// </summary>
internal sealed class RecordDecoder(AuditReaderOptions options, IAuditEventHandler handler, ReadCounters counters) : IRecordSink
{
    // As a sink, the decoder is the sequential read: everything is decoded at once, on the reading thread.
    bool IRecordSink.DefersLines => false;

    IRetention? IRecordSink.Retention => null;

    void IRecordSink.Submit(byte[] buffer, int start, int length, in DecodeContext context) => Decode(buffer, start, length, in context);

    bool IRecordSink.TrySubmitLine(byte[] buffer, int start, int length, in DecodeContext context, in BufferWindow window) => false;

    void IRecordSink.Diagnostic(ReadDiagnostic diagnostic)
    {
        counters.CountDiagnostic(diagnostic.Severity);
        handler.OnDiagnostic(diagnostic);
    }

    void IRecordSink.SourceStart(string source) => handler.OnSourceStart(source);

    void IRecordSink.Progress(string source, long bytesRead, long totalBytes) => handler.OnProgress(source, bytesRead, totalBytes);

    void IRecordSink.EndSource()
    {
    }

    bool IRecordSink.TryTakeRewind(out long offset, out BufferWindow window)
    {
        offset = 0;
        window = default;
        return false;
    }

    /// <summary>Envelopes nest at most an array of lists of records; deeper is not a format anyone writes.</summary>
    private const int MaxEnvelopeDepth = 3;

    private AuditEvent _event = new();

    /// <summary>
    /// The instance the next event is parsed into. The parallel read points it at an event of the batch
    /// being decoded, so an event is parsed where it will be kept rather than parsed and copied.
    /// </summary>
    internal AuditEvent Target
    {
        get => _event;
        set => _event = value;
    }
    private readonly ArrayBufferWriter<byte> _scratch = new(16 * 1024);
    private readonly ArrayBufferWriter<byte> _redacted = new(16 * 1024);
    private byte[] _unescaped = new byte[16 * 1024];

    public DecodeOutcome Decode(byte[] buffer, int start, int length, in DecodeContext context, bool reportMalformed = true)
    {
        var span = buffer.AsSpan(start, length);
        if (!Utf8.IsValid(span))
        {
            var bad = FirstInvalidUtf8(span);
            Report(DiagnosticSeverity.Error, DiagnosticCodes.InvalidUtf8, context, context.ByteOffset + bad,
                $"invalid UTF-8 at byte {bad} of the record; record skipped");
            return DecodeOutcome.Handled;
        }

        var result = AuditEventParser.Parse(buffer, start, length, _event, options.MaxDepth);
        switch (result.Outcome)
        {
            case ParseOutcome.Event:
                Emit(context.PlainEventFormat, in context);
                return DecodeOutcome.Handled;
            case ParseOutcome.Invalid when result.JsonPath is null:
                if (!reportMalformed)
                {
                    return DecodeOutcome.MalformedJson;
                }

                Report(DiagnosticSeverity.Error, DiagnosticCodes.MalformedJson, context, context.ByteOffset + result.BytePosition,
                    $"malformed JSON: {result.Error}");
                return DecodeOutcome.Handled;
            case ParseOutcome.Invalid:
                Report(DiagnosticSeverity.Error, DiagnosticCodes.InvalidEvent, context, context.ByteOffset + result.BytePosition,
                    $"{result.Error}; event skipped", CombinePath(context.JsonPath, result.JsonPath));
                return DecodeOutcome.Handled;
            default:
                return DecodeEnvelope(buffer, start, length, in context, result.Error ?? "not an audit event", reportMalformed);
        }
    }

    /// <summary>Classifies a JSON value that is not itself an Event by the properties that mark each envelope.</summary>
    private DecodeOutcome DecodeEnvelope(byte[] buffer, int start, int length, in DecodeContext context, string notEventReason, bool reportMalformed)
    {
        var span = buffer.AsSpan(start, length);
        var shape = EnvelopeShape.Inspect(span, options.MaxDepth, out var jsonError);
        if (jsonError is not null)
        {
            if (!reportMalformed)
            {
                return DecodeOutcome.MalformedJson;
            }

            Report(DiagnosticSeverity.Error, DiagnosticCodes.MalformedJson, context, context.ByteOffset, $"malformed JSON: {jsonError}");
            return DecodeOutcome.Handled;
        }

        if (context.Depth >= MaxEnvelopeDepth && shape.Kind != EnvelopeKind.None)
        {
            Report(DiagnosticSeverity.Error, DiagnosticCodes.NotAnAuditEvent, context, context.ByteOffset,
                $"envelope nested more than {MaxEnvelopeDepth} levels deep; skipped");
            return DecodeOutcome.Handled;
        }

        switch (shape.Kind)
        {
            case EnvelopeKind.Array:
                DecodeElements(buffer, start, shape.Items, in context, context.ContainerPath == "$" && context.Index < 0 ? "$" : context.JsonPath, InputFormat.JsonArray);
                break;
            case EnvelopeKind.EventList:
                DecodeElements(buffer, start, shape.Items, in context, context.JsonPath + ".items", InputFormat.EventList);
                break;
            case EnvelopeKind.AksRecords:
                DecodeElements(buffer, start, shape.Items, in context, context.JsonPath + ".records", InputFormat.AksDiagnostics);
                break;
            case EnvelopeKind.EksEvents:
                DecodeElements(buffer, start, shape.Items, in context, context.JsonPath + "." + shape.ItemsName, InputFormat.EksCloudWatch);
                break;
            case EnvelopeKind.AksRecord:
                DecodeAksRecord(buffer, start, in shape, in context);
                break;
            case EnvelopeKind.EksRecord:
                DecodeEmbedded(buffer, start, shape.Message, shape.MessageIsString, InputFormat.EksCloudWatch, in context, shape.MessageName);
                break;
            case EnvelopeKind.GkeLogEntry:
                DecodeGke(span, in context);
                break;
            default:
                Report(DiagnosticSeverity.Error, DiagnosticCodes.NotAnAuditEvent, context, context.ByteOffset,
                    $"not an audit event ({notEventReason}); skipped");
                break;
        }

        return DecodeOutcome.Handled;
    }

    private void DecodeElements(byte[] buffer, int start, List<Range> items, in DecodeContext context, string path, InputFormat plainFormat)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var (offset, len) = items[i].GetOffsetAndLength(int.MaxValue);
            var child = context.Child(path, i, plainFormat, context.ByteOffset + offset) with
            {
                Line = context.Line + buffer.AsSpan(start, offset).Count((byte)'\n'),
            };
            Decode(buffer, start + offset, len, in child);
        }
    }

    private void DecodeAksRecord(byte[] buffer, int start, in EnvelopeShape shape, in DecodeContext context)
    {
        // AKS sends kube-audit (everything) and kube-audit-admin (no get/list); other categories are
        // apiserver or controller logs, not audit events: counted and noted, never silently dropped.
        if (shape.Category is not ("kube-audit" or "kube-audit-admin" or null))
        {
            counters.SkippedRecords++;
            Report(DiagnosticSeverity.Info, DiagnosticCodes.SkippedRecord, context, context.ByteOffset,
                $"AKS record of category \"{shape.Category}\" is not an audit log; skipped");
            return;
        }

        DecodeEmbedded(buffer, start, shape.Message, shape.MessageIsString, InputFormat.AksDiagnostics, in context, "properties.log");
    }

    /// <summary>Decodes an Event carried inside a record, as a JSON string (the usual case) or as an object.</summary>
    private void DecodeEmbedded(byte[] buffer, int start, Range message, bool isString, InputFormat format, in DecodeContext context, string? memberName)
    {
        var (offset, len) = message.GetOffsetAndLength(int.MaxValue);
        var path = context.JsonPath + "." + memberName;
        if (!isString)
        {
            DecodeAs(buffer, start + offset, len, format, context with { ContainerPath = path, Index = -1 });
            return;
        }

        // The range covers the string including quotes; the reader unescapes it into owned bytes.
        var quoted = buffer.AsSpan(start + offset, len);
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        var needed = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (_unescaped.Length < needed)
        {
            _unescaped = new byte[Math.Max(needed, _unescaped.Length * 2)];
        }

        var written = reader.CopyString(_unescaped);
        var trimmed = _unescaped.AsSpan(0, written).TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed[0] != (byte)'{')
        {
            // A log group holds more than audit streams (authenticator, scheduler text logs): those
            // records are not ours, so they are counted and noted rather than called errors.
            counters.SkippedRecords++;
            Report(DiagnosticSeverity.Info, DiagnosticCodes.SkippedRecord, context, context.ByteOffset,
                $"{memberName} holds a plain-text log line, not an audit event; skipped", path);
            return;
        }

        // The event points into _unescaped only while the handler runs; an embedded event never embeds
        // another, so nothing overwrites these bytes before then.
        DecodeAs(_unescaped, written - trimmed.Length, trimmed.Length, format, context with { ContainerPath = path, Index = -1, Depth = context.Depth + 1 });
    }

    private void DecodeAs(byte[] buffer, int start, int length, InputFormat format, in DecodeContext context)
    {
        var result = AuditEventParser.Parse(buffer, start, length, _event, options.MaxDepth);
        if (result.Outcome == ParseOutcome.Event)
        {
            Emit(format, in context);
            return;
        }

        var code = result.Outcome == ParseOutcome.NotAnEvent ? DiagnosticCodes.NotAnAuditEvent
            : result.JsonPath is null ? DiagnosticCodes.MalformedJson : DiagnosticCodes.InvalidEvent;
        Report(DiagnosticSeverity.Error, code, context, context.ByteOffset, $"{result.Error}; skipped",
            CombinePath(context.JsonPath, result.JsonPath));
    }

    private void DecodeGke(ReadOnlySpan<byte> span, in DecodeContext context)
    {
        using var document = JsonDocument.Parse(span.ToArray(), new JsonDocumentOptions { MaxDepth = options.MaxDepth });

        // A Cloud Logging sink often carries every Google service's audit log; only k8s.io entries are ours.
        if (document.RootElement.TryGetProperty("protoPayload", out var payload)
            && payload.TryGetProperty("serviceName", out var service)
            && service.ValueKind == JsonValueKind.String
            && !service.ValueEquals("k8s.io"))
        {
            counters.SkippedRecords++;
            Report(DiagnosticSeverity.Info, DiagnosticCodes.SkippedRecord, context, context.ByteOffset,
                $"Cloud Audit Log entry of service \"{service.GetString()}\" is not a Kubernetes audit event; skipped");
            return;
        }

        _scratch.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_scratch))
        {
            if (!GkeLogEntryMapper.TryWriteEvent(document.RootElement, writer, out var error))
            {
                Report(DiagnosticSeverity.Error, DiagnosticCodes.EnvelopeError, context, context.ByteOffset,
                    $"GKE LogEntry cannot be mapped to an audit event: {error}; skipped");
                return;
            }
        }

        var bytes = _scratch.WrittenSpan.ToArray();
        DecodeAs(bytes, 0, bytes.Length, InputFormat.GkeCloudLogging, in context);
    }

    private void Emit(InputFormat format, in DecodeContext context)
    {
        _event.Format = format;
        if (options.Redact)
        {
            var json = _event.Json.Span;
            if (EventRedactor.MayNeedRedaction(json, _event.HasRequestObject || _event.HasResponseObject))
            {
                _redacted.ResetWrittenCount();
                var redaction = EventRedactor.Redact(json, _redacted);
                if (!redaction.Parsed)
                {
                    // Never hand out an event whose secrets could not be checked.
                    Report(DiagnosticSeverity.Error, DiagnosticCodes.Unredactable, context, context.ByteOffset,
                        "event cannot be checked for secret values (undecodable string or nesting); skipped");
                    return;
                }

                if (redaction.Count > 0)
                {
                    counters.RedactedValues += redaction.Count;

                    // Parse in place: the event points into _redacted only until the handler returns.
                    MemoryMarshal.TryGetArray(_redacted.WrittenMemory, out var redacted);
                    AuditEventParser.Parse(redacted.Array!, redacted.Offset, redacted.Count, _event, options.MaxDepth);
                    _event.Format = format;
                }
            }
        }

        counters.CountEvent(format);
        var location = new RecordLocation(context.Source, context.Line, context.ByteOffset, context.ContainerPath, context.Index);
        handler.OnEvent(_event, in location);
    }

    public void Report(DiagnosticSeverity severity, string code, in DecodeContext context, long byteOffset, string message, string? path = null)
    {
        counters.CountDiagnostic(severity);
        handler.OnDiagnostic(new ReadDiagnostic(severity, code, context.Source, context.Line, byteOffset, path ?? context.JsonPath, message));
    }

    /// <summary>Appends a path relative to a record (<c>$.verb</c>) to where the record sits (<c>$.items[3]</c>).</summary>
    private static string CombinePath(string recordPath, string? relative) =>
        relative is null ? recordPath : recordPath == "$" ? relative : recordPath + relative[1..];

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> span)
    {
        var index = 0;
        while (index < span.Length)
        {
            if (Rune.DecodeFromUtf8(span[index..], out _, out var consumed) != OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }
}
