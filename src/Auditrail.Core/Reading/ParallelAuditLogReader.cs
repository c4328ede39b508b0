using Auditrail.Core.Model;
using Auditrail.Core.Reading.Parallel;

namespace Auditrail.Core.Reading;

/// <summary>
/// Per-event work that needs no state shared between events (rule matching), run on a worker thread.
/// One instance per worker; <see cref="ParallelAuditLogReader"/> never calls one from two threads.
/// </summary>
/// <typeparam name="TResult">What the ordered stage receives with the event.</typeparam>
public interface IEventAnalyzer<TResult>
{
    /// <summary>
    /// Called for every event. The event stays valid until the ordered stage has seen it, so strings it
    /// materializes here are not decoded again there. It may also be called for events the ordered stage
    /// never sees (framed after a line that turned out to start a longer value, and framed again): keep
    /// counts and side effects in the result, not in the analyzer.
    /// </summary>
    TResult Analyze(AuditEvent auditEvent, in RecordLocation location);
}

/// <summary>
/// Receives what a parallel read finds, on the calling thread and in input order, as
/// <see cref="IAuditEventHandler"/> does for the sequential read, with each event's analysis.
/// </summary>
public interface IOrderedEventHandler<TResult>
{
    /// <summary>Called for every event, in input order. The instance is reused once the call returns (see <see cref="AuditEvent.Detach"/>).</summary>
    void OnEvent(AuditEvent auditEvent, in RecordLocation location, TResult analysis);

    void OnDiagnostic(ReadDiagnostic diagnostic);

    /// <summary>Called when a source is opened, before its first event.</summary>
    void OnSourceStart(string source)
    {
    }

    /// <summary>Called as a source is read, about every few megabytes of what has been handled; <paramref name="totalBytes"/> is 0 when unknown.</summary>
    void OnProgress(string source, long bytesRead, long totalBytes)
    {
    }
}

/// <summary>
/// Reads audit logs as <see cref="AuditLogReader"/> does (same events, diagnostics, order and counters),
/// with the parsing and a per-event analysis spread over worker threads.
/// </summary>
/// <remarks>
/// <para>Three stages. The calling thread finds records, as the sequential reader does, but instead of
/// parsing them copies their bytes into batches (up to a thousand records or half a megabyte each).
/// Worker threads take whole batches, decode them (<see cref="RecordDecoder"/>: parse, envelopes,
/// redaction) and run the <see cref="IEventAnalyzer{TResult}"/> on each event. The calling thread also
/// takes the batches back in the order they were framed and hands events and diagnostics to the
/// <see cref="IOrderedEventHandler{TResult}"/>: whenever the fixed pool of batches runs dry, it delivers
/// the oldest batch before framing the next. The pool bounds the memory and makes a slow stage hold
/// back the others.</para>
/// <para>The sequential fast path parses a line to know whether it is a whole record or the first line
/// of a pretty-printed value. The framer hands on, unparsed, every line that ends as an object or array
/// does; in the rare case a worker finds such a line to be the start of a longer value, the framer is
/// sent back to that line (its bytes, and the state of the read buffer there, are kept until the batch
/// is delivered), everything framed after it is dropped, and the line is read again as the sequential
/// reader does. Values that span lines, and everything inside envelopes read by the streaming framer
/// (arrays, EventList, AKS and CloudWatch exports), go through the same code as the sequential read:
/// envelopes framed element by element are decoded by workers; a line the fast path cannot take is
/// decoded by the framer.</para>
/// </remarks>
public sealed class ParallelAuditLogReader
{
    private readonly AuditReaderOptions _options;
    private readonly int _workers;

    /// <param name="workers">Worker threads that decode and analyze (at least 1); framing and the ordered stage run on the calling thread.</param>
    public ParallelAuditLogReader(AuditReaderOptions? options = null, int workers = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _options = options ?? AuditReaderOptions.Default;
        _workers = workers;
    }

    /// <summary>How many times the last read sent the framer back to a line (see the remarks); for tests.</summary>
    internal int LastRewinds { get; private set; }

    /// <summary>Records per batch before it is handed to a worker.</summary>
    internal int BatchRecords { get; init; } = 1024;

    /// <summary>Bytes per batch before it is handed to a worker.</summary>
    internal int BatchBytes { get; init; } = 512 << 10;

    /// <summary>Reads every path in order, as <see cref="AuditLogReader.ReadPaths"/> does.</summary>
    /// <param name="createAnalyzer">Called once per worker thread.</param>
    public ReadCounters ReadPaths<TResult>(IEnumerable<string> paths, Func<IEventAnalyzer<TResult>> createAnalyzer, IOrderedEventHandler<TResult> handler,
        CancellationToken cancellationToken = default, Func<Stream>? openStdin = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var list = paths.ToList();
        return Run(createAnalyzer, handler, cancellationToken,
            (sink, counters) => AuditLogReader.ReadPathsInto(_options, list, sink, counters, cancellationToken, openStdin));
    }

    /// <summary>Reads bytes already in memory.</summary>
    public ReadCounters ReadBytes<TResult>(ReadOnlyMemory<byte> bytes, string sourceName, Func<IEventAnalyzer<TResult>> createAnalyzer, IOrderedEventHandler<TResult> handler,
        CancellationToken cancellationToken = default) =>
        Run(createAnalyzer, handler, cancellationToken,
            (sink, counters) => AuditLogReader.ReadOne(_options, new PrefixedStream(bytes, Stream.Null), sourceName, fromDirectory: false, sink, counters, cancellationToken));

    private ReadCounters Run<TResult>(Func<IEventAnalyzer<TResult>> createAnalyzer, IOrderedEventHandler<TResult> handler, CancellationToken cancellationToken,
        Action<IRecordSink, ReadCounters> frame)
    {
        ArgumentNullException.ThrowIfNull(createAnalyzer);
        ArgumentNullException.ThrowIfNull(handler);
        using var pipeline = new ReadPipeline<TResult>(_options, _workers, BatchRecords, BatchBytes, cancellationToken);
        try
        {
            return pipeline.Run(createAnalyzer, handler, frame);
        }
        finally
        {
            LastRewinds = pipeline.Rewinds;
        }
    }
}
