namespace Auditrail.Server.Sources;

/// <summary>What <see cref="FileTailModule"/> tails and how it batches into the write-ahead log.</summary>
public sealed record FileTailOptions
{
    /// <summary>
    /// Files or globs (<c>*</c> and <c>?</c> in the file-name part only, e.g.
    /// <c>/var/log/kubernetes/audit/*.log</c>). A glob also matches lumberjack's rotated files
    /// (<c>audit-2026-12-02T10-00-00.000.log</c>); they are recognized by identity, so a renamed file is
    /// never read twice.
    /// </summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>
    /// The cluster stamped into every event's <c>auditrail.io/cluster</c> annotation (overwriting a
    /// value the event carries). Null keeps each event as written, with whatever annotation it has.
    /// </summary>
    public string? Cluster { get; init; }

    /// <summary>
    /// What to do with gzip-compressed files (<c>.gz</c>) the globs match: lumberjack compresses rotated
    /// files when <c>--audit-log-compress</c> is set. Default <see cref="CompressedFileMode.Skip"/>.
    /// </summary>
    public CompressedFileMode CompressedFiles { get; init; }

    /// <summary>Where read positions are kept (JSON, replaced atomically); belongs in the data directory.</summary>
    public required string CheckpointFile { get; init; }

    /// <summary>How often files are looked at when there was nothing to read.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Events per write-ahead log append at most: 400, the batch kube-apiserver's webhook backend sends.</summary>
    public int MaxBatchEvents { get; init; } = 400;

    /// <summary>Bytes per append at most (a single line longer than this still goes alone).</summary>
    public long MaxBatchBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Longer lines are skipped and counted, never buffered: the read buffer is bounded by this.
    /// 1 MiB is well above kube-apiserver's own event cap at RequestResponse level.
    /// </summary>
    public int MaxLineBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// For a file present at start with no checkpoint: true starts at its end (only new lines), false
    /// (default) reads it from the beginning. Files that appear later (rotation) are always read from
    /// their beginning, or their first lines would be lost.
    /// </summary>
    public bool StartAtEnd { get; init; }

    /// <summary>
    /// How long a file that no path leads to any more (deleted, or renamed out of the globs without a
    /// successor taking its name yet) is still read before its handle is closed.
    /// </summary>
    public TimeSpan ReleaseUnmatchedAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between retries while the write-ahead log is full or failing.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws when a value cannot work, naming it.</summary>
    public void Validate()
    {
        if (Paths is null || Paths.Count == 0 || Paths.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("file tailing needs at least one path, and no empty ones", nameof(Paths));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(CheckpointFile);
        if (Cluster is not null && string.IsNullOrWhiteSpace(Cluster))
        {
            throw new ArgumentException("the cluster name is empty; leave it out to keep events as written", nameof(Cluster));
        }

        if (Paths.Any(p => Path.GetDirectoryName(p) is { } directory && directory.AsSpan().IndexOfAny('*', '?') >= 0))
        {
            throw new ArgumentException("wildcards are supported in file names only, not in directories", nameof(Paths));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchEvents, 1, nameof(MaxBatchEvents));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineBytes, 16, nameof(MaxLineBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, MaxLineBytes, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReleaseUnmatchedAfter, TimeSpan.Zero, nameof(ReleaseUnmatchedAfter));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxRetryDelay, TimeSpan.Zero, nameof(MaxRetryDelay));
    }
}

/// <summary>How gzip-compressed files matched by the globs are treated.</summary>
public enum CompressedFileMode
{
    /// <summary>
    /// Not read. A file that was tailed before lumberjack compressed it has already been read through
    /// its handle, so this loses nothing in steady operation.
    /// </summary>
    Skip,

    /// <summary>
    /// Read once to its end, then remembered (by identity, in the checkpoint) and never read again; for
    /// back-filling history present at first start. A compressed copy of a file that was tailed is
    /// recognized by its identity and only what was not read yet is taken from it. A last line without
    /// its newline is not read (a finished file ends with one).
    /// </summary>
    ReadOnce,
}
