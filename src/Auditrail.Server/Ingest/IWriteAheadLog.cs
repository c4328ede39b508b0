namespace Auditrail.Server.Ingest;

/// <summary>
/// One durably appended batch: audit events as JSON lines (one event per line, the cluster already
/// stamped into each event's <c>auditrail.io/cluster</c> annotation), with where it came from.
/// </summary>
/// <param name="Sequence">Assigned by the log, strictly increasing from 1, never reused (also across restarts).</param>
/// <param name="Source">Where the batch came from, for diagnostics: <c>webhook:CLUSTER</c> or a tailed file's path.</param>
/// <param name="Events">How many events the payload holds.</param>
/// <param name="Payload">The JSON lines. Valid only until the enumeration moves on; copy to keep.</param>
public readonly record struct WalRecord(long Sequence, string Source, int Events, DateTimeOffset Appended, ReadOnlyMemory<byte> Payload);

/// <summary>
/// The local write-ahead queue between intake (webhook, file tailing) and the pipeline. Intake
/// acknowledges a batch only after <see cref="AppendAsync"/> returns, so an acknowledged event
/// survives a crash or <c>kill -9</c>; the pipeline reads in sequence order and
/// <see cref="Release"/>s what it has durably finished with.
/// </summary>
public interface IWriteAheadLog : IAsyncDisposable
{
    /// <summary>
    /// Appends one batch and returns its sequence once it is on disk (fsync). Concurrent appends may
    /// share one fsync (group commit).
    /// </summary>
    /// <exception cref="WriteAheadLogFullException">
    /// Unreleased data is over the configured capacity: the caller answers 429 so the sender retries
    /// later, and nothing was written.
    /// </exception>
    ValueTask<long> AppendAsync(string source, int events, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// The records after <paramref name="afterSequence"/> in order, waiting for new ones until
    /// <paramref name="cancellationToken"/> is cancelled. A torn record at the tail (a crash during a
    /// write that was never acknowledged) is never returned.
    /// </summary>
    IAsyncEnumerable<WalRecord> ReadAsync(long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// The pipeline has durably finished with every record up to <paramref name="sequence"/>; their
    /// space stops counting against capacity and their segments may be deleted.
    /// </summary>
    void Release(long sequence);

    /// <summary>The newest appended sequence, 0 when empty.</summary>
    long LastSequence { get; }

    /// <summary>The newest released sequence (persisted, so it survives restarts), 0 when none.</summary>
    long ReleasedSequence { get; }

    /// <summary>Bytes appended but not yet released: the queue depth that back-pressure compares with capacity.</summary>
    long PendingBytes { get; }
}

/// <summary>The write-ahead log is at capacity; nothing was appended. The webhook answers 429.</summary>
public sealed class WriteAheadLogFullException(long pendingBytes, long capacityBytes)
    : Exception($"the write-ahead queue is full ({pendingBytes:N0} of {capacityBytes:N0} bytes unprocessed)")
{
    public long PendingBytes { get; } = pendingBytes;

    public long CapacityBytes { get; } = capacityBytes;
}
