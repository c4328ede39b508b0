namespace Auditrail.Core.Reading;

/// <summary>
/// Where the framing half of a read (<see cref="AuditLogReader"/>'s source walk and
/// <see cref="SourceReader"/>) puts what it finds, in input order. The sequential read decodes at once
/// (<see cref="RecordDecoder"/>); the parallel read (<see cref="ParallelAuditLogReader"/>) copies record
/// bytes into batches that worker threads decode.
/// </summary>
internal interface IRecordSink
{
    /// <summary>True when <see cref="TrySubmitLine"/> may take lines without parsing them first.</summary>
    bool DefersLines { get; }

    /// <summary>Decodes now, on the calling thread: the caller needs the outcome.</summary>
    DecodeOutcome Decode(byte[] buffer, int start, int length, in DecodeContext context, bool reportMalformed = true);

    /// <summary>A complete JSON value whose outcome the caller does not need: decoded now or later, in order.</summary>
    void Submit(byte[] buffer, int start, int length, in DecodeContext context);

    /// <summary>
    /// A whole line that ends the way a JSON value does. A sink that <see cref="DefersLines"/> takes it
    /// unparsed; should a worker find that it is the first line of a longer value, the sink later asks
    /// the reader to go back to it (<see cref="ReaderRewindException"/>, <see cref="TryTakeRewind"/>).
    /// </summary>
    /// <param name="window">The read buffer's state at the line, restored on a rewind so the line is read again exactly as it was.</param>
    bool TrySubmitLine(byte[] buffer, int start, int length, in DecodeContext context, in BufferWindow window);

    void Report(DiagnosticSeverity severity, string code, in DecodeContext context, long byteOffset, string message, string? path = null);

    /// <summary>A diagnostic built by the caller (a source that cannot be opened).</summary>
    void Diagnostic(ReadDiagnostic diagnostic);

    void SourceStart(string source);

    void Progress(string source, long bytesRead, long totalBytes);

    /// <summary>
    /// Called when a source is read to its end, before it is closed: a parallel sink waits there until no
    /// line of the source can still need a rewind (and may throw <see cref="ReaderRewindException"/>).
    /// </summary>
    void EndSource();

    /// <summary>A rewind asked for since the last call: the absolute offset of the line to read again, exactly, and the buffer's state there.</summary>
    bool TryTakeRewind(out long offset, out BufferWindow window);

    /// <summary>Bytes of the current source the sink may still ask to be read again; null when it never asks.</summary>
    IRetention? Retention { get; }
}

/// <summary>Keeps a source's bytes from a given offset on in the read buffer, for a rewind.</summary>
internal interface IRetention
{
    /// <summary>Absolute offset of the first byte to keep; <see cref="long.MaxValue"/> when none.</summary>
    long RetainFrom { get; }

    /// <summary>Blocks until fewer bytes need keeping (or throws <see cref="ReaderRewindException"/>).</summary>
    void WaitForRelease();
}

/// <summary>
/// Thrown while framing, out of a wait inside the sink, to unwind the reader to its top level,
/// where it goes back to <see cref="Offset"/> and reads from there one record at a time.
/// </summary>
internal sealed class ReaderRewindException(long offset, BufferWindow window) : Exception("the reader goes back to a line that turned out to start a longer value")
{
    public long Offset { get; } = offset;

    public BufferWindow Window { get; } = window;
}

/// <summary>
/// What a sequential read would have buffered at some point (absolute offsets, buffer capacity, end of
/// stream seen): the parallel read restores it on a rewind, so what is read again is framed the same.
/// </summary>
internal readonly record struct BufferWindow(long Start, long End, int Capacity, bool Eof);
