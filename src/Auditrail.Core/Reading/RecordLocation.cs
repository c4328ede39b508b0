using Auditrail.Core.Model;

namespace Auditrail.Core.Reading;

/// <summary>Where an event was found. The JSON path is built only when asked for.</summary>
public readonly record struct RecordLocation(string Source, long Line, long ByteOffset, string ContainerPath, int Index)
{
    /// <summary>For example <c>$.items[3]</c>, or <c>$</c> for a record that is a whole line or document.</summary>
    public string JsonPath => Index < 0 ? ContainerPath : $"{ContainerPath}[{Index}]";

    public override string ToString() => Index < 0 ? $"{Source}:{Line}" : $"{Source}:{Line} {JsonPath}";
}

/// <summary>Receives what the reader finds, in input order.</summary>
public interface IAuditEventHandler
{
    /// <summary>
    /// Called for every event. The instance is reused for the next record: use it during the call, or keep
    /// <see cref="AuditEvent.Detach"/>'s copy.
    /// </summary>
    void OnEvent(AuditEvent auditEvent, in RecordLocation location);

    void OnDiagnostic(ReadDiagnostic diagnostic);

    /// <summary>Called when a source (file, stdin, request body) is opened, before its first event.</summary>
    void OnSourceStart(string source)
    {
    }

    /// <summary>Called as a source is read, about every few megabytes; <paramref name="totalBytes"/> is 0 when unknown.</summary>
    void OnProgress(string source, long bytesRead, long totalBytes)
    {
    }
}

public sealed class AuditReaderOptions
{
    public static readonly AuditReaderOptions Default = new();

    /// <summary>An event larger than this is reported and skipped without being buffered whole.</summary>
    public int MaxEventBytes { get; init; } = 1 << 20;

    /// <summary>Deepest JSON nesting accepted in one record.</summary>
    public int MaxDepth { get; init; } = 256;

    /// <summary>Remove secret values (Secret data, tokens, bearer credentials) before events are handed out.</summary>
    public bool Redact { get; init; } = true;

    /// <summary>Initial size of the read buffer; it grows up to what <see cref="MaxEventBytes"/> needs.</summary>
    public int BufferBytes { get; init; } = 256 * 1024;
}
