using System.Buffers;
using System.Text.Json;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.Core.Model;
using Auditrail.Core.Writing;

namespace Auditrail.AuditPolicy.Simulation;

/// <summary>
/// Bytes an event takes in a log-backend file (one compact audit.k8s.io/v1 line), as recorded and as a
/// policy would record it: nothing for a stage it omits or a level of None; without the bodies a lower
/// level drops (re-serialised, so the figure is the line the apiserver would write); without
/// managedFields when the policy strips them.
/// </summary>
internal sealed class EventSizer : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _writer;

    public EventSizer() => _writer = new Utf8JsonWriter(_buffer);

    /// <summary>The event's line as recorded, newline included.</summary>
    public long Recorded(AuditEvent e) => Measure(e, e.Level);

    /// <summary>The line the policy's decision would write for this event (0 when it writes none).</summary>
    public long Decided(AuditEvent e, PolicyDecision decision, long recordedSize)
    {
        if (!decision.Records(e.Stage))
        {
            return 0;
        }

        var level = decision.Level;
        var lowered = level < e.Level;
        var size = lowered ? Measure(e, level) : recordedSize;
        if (decision.OmitManagedFields)
        {
            if (!lowered || level >= AuditLevel.Request)
            {
                size -= ManagedFieldsBytes(e.RequestObjectJson);
            }

            if (!lowered || level >= AuditLevel.RequestResponse)
            {
                size -= ManagedFieldsBytes(e.ResponseObjectJson);
            }
        }

        return size;
    }

    public void Dispose() => _writer.Dispose();

    private long Measure(AuditEvent e, AuditLevel level)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        AuditEventJsonWriter.Write(e, _writer, level);
        _writer.Flush();
        return _writer.BytesCommitted + 1;
    }

    /// <summary>
    /// Bytes of <c>metadata.managedFields</c> in a body (an object, or each item of a list), with the
    /// comma that separates it: what omitManagedFields takes out.
    /// </summary>
    internal static long ManagedFieldsBytes(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body.IndexOf("managedFields"u8) < 0)
        {
            return 0;
        }

        var reader = new Utf8JsonReader(body);
        return reader.Read() && reader.TokenType == JsonTokenType.StartObject ? InObject(ref reader, lookInItems: true) : 0;
    }

    /// <summary>Reads an object from its start to its end, counting managedFields under its metadata (and its items').</summary>
    private static long InObject(ref Utf8JsonReader reader, bool lookInItems)
    {
        long total = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            var isItems = lookInItems && reader.ValueTextEquals("items"u8);
            reader.Read();
            if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
            {
                total += InMetadata(ref reader);
            }
            else if (isItems && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        total += InObject(ref reader, lookInItems: false);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return total;
    }

    private static long InMetadata(ref Utf8JsonReader reader)
    {
        long total = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = reader.TokenStartIndex;
            var managed = reader.ValueTextEquals("managedFields"u8);
            reader.Read();
            reader.Skip();
            if (managed)
            {
                total += reader.BytesConsumed - start + 1;
            }
        }

        return total;
    }
}
