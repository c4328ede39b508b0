namespace Auditrail.Server.Ingest;

/// <summary>Where and how big the write-ahead log is.</summary>
public sealed record WriteAheadLogOptions
{
    /// <summary>The folder holding the segment files and the released-sequence file; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Size at which a segment is closed and the next one started: 64 MiB, so a released stretch is freed
    /// by deleting whole files soon after the pipeline moves on, without thousands of small files.
    /// </summary>
    public long SegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Unreleased bytes the log may hold before appends are refused with <see cref="WriteAheadLogFullException"/>
    /// (the webhook answers 429): 1 GiB, minutes of a busy cluster's audit stream, so a slow pipeline
    /// pushes back on the senders instead of filling the disk.
    /// </summary>
    public long CapacityBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Most appends written by one fsync: bounds a group's gather list (the kernel caps iovecs per call)
    /// and how long the first caller in a group waits for the last one's bytes.
    /// </summary>
    public int MaxAppendsPerCommit { get; init; } = 256;
}

/// <summary>What opening the log found on disk.</summary>
/// <param name="Segments">Segment files kept.</param>
/// <param name="Records">Valid records found in them.</param>
/// <param name="TruncatedBytes">Bytes cut from torn or corrupt tails.</param>
/// <param name="Problems">One line per repair (file, offset, reason), also logged.</param>
public sealed record WriteAheadLogRecovery(int Segments, long Records, long TruncatedBytes, IReadOnlyList<string> Problems);
