using Auditrail.Server.Metrics;

namespace Auditrail.Server.Sources;

/// <summary>What file tailing did since start, and how far behind each file is; exported on <c>/metrics</c>.</summary>
public sealed class FileTailCounters : IMetricsSource
{
    private long _linesRead;
    private long _eventsAppended;
    private long _batchesAppended;
    private long _notJsonLines;
    private long _tooLongLines;
    private long _rotations;
    private long _truncations;
    private long _appendRetries;
    private long _checkpointFailures;
    private long _polls;
    private IReadOnlyList<FileLag> _lag = [];

    /// <summary>Complete lines consumed, whatever became of them.</summary>
    public long LinesRead => Interlocked.Read(ref _linesRead);

    /// <summary>Events durably appended to the write-ahead log.</summary>
    public long EventsAppended => Interlocked.Read(ref _eventsAppended);

    /// <summary>Lines that were not one JSON object, skipped.</summary>
    public long NotJsonLines => Interlocked.Read(ref _notJsonLines);

    /// <summary>Lines over the size limit, skipped without being buffered.</summary>
    public long TooLongLines => Interlocked.Read(ref _tooLongLines);

    /// <summary>Times a tailed file was renamed, or its name taken by a new file (rotation).</summary>
    public long Rotations => Interlocked.Read(ref _rotations);

    /// <summary>Times a tailed file got shorter than what was read, or was rewritten from its start (copytruncate).</summary>
    public long Truncations => Interlocked.Read(ref _truncations);

    /// <summary>Appends retried because the write-ahead log was full or failed.</summary>
    public long AppendRetries => Interlocked.Read(ref _appendRetries);

    /// <summary>Completed looks at the files (each reads whatever was appended).</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Per tailed file, the bytes after the last checkpointed line, as of the last poll.</summary>
    public IReadOnlyList<FileLag> Lag => Volatile.Read(ref _lag);

    /// <inheritdoc />
    public void Collect(MetricsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Counter("auditrail_tail_lines_read_total", "Complete lines read from tailed audit log files.", LinesRead);
        writer.Counter("auditrail_tail_events_appended_total", "Events from tailed files durably appended to the write-ahead log.", EventsAppended);
        writer.Counter("auditrail_tail_batches_appended_total", "Write-ahead log appends made by file tailing.", Interlocked.Read(ref _batchesAppended));
        writer.Counter("auditrail_tail_bad_lines_total", "Lines skipped as bad records, by reason.", NotJsonLines, ("reason", "not_json"));
        writer.Counter("auditrail_tail_bad_lines_total", "Lines skipped as bad records, by reason.", TooLongLines, ("reason", "too_long"));
        writer.Counter("auditrail_tail_rotations_total", "Tailed files replaced under their name (rename rotation).", Rotations);
        writer.Counter("auditrail_tail_truncations_total", "Tailed files truncated or rewritten from the start; read again from offset 0.", Truncations);
        writer.Counter("auditrail_tail_append_retries_total", "Appends retried because the write-ahead log was full or failed.", AppendRetries);
        writer.Counter("auditrail_tail_checkpoint_failures_total", "Checkpoint writes that failed (retried at the next batch).", Interlocked.Read(ref _checkpointFailures));
        writer.Counter("auditrail_tail_polls_total", "Completed looks at the tailed files.", Polls);
        var lag = Lag;
        writer.Gauge("auditrail_tail_files", "Files currently tailed.", lag.Count);
        foreach (var file in lag)
        {
            writer.Gauge("auditrail_tail_lag_bytes", "Bytes of a tailed file not yet checkpointed into the write-ahead log.", file.Bytes, ("path", file.Path));
        }
    }

    internal void AddLinesRead(long lines) => Interlocked.Add(ref _linesRead, lines);

    internal void AddAppended(int events)
    {
        Interlocked.Add(ref _eventsAppended, events);
        Interlocked.Increment(ref _batchesAppended);
    }

    internal void AddNotJson() => Interlocked.Increment(ref _notJsonLines);

    internal void AddTooLong() => Interlocked.Increment(ref _tooLongLines);

    internal void AddRotation() => Interlocked.Increment(ref _rotations);

    internal void AddTruncation() => Interlocked.Increment(ref _truncations);

    internal void AddAppendRetry() => Interlocked.Increment(ref _appendRetries);

    internal void AddCheckpointFailure() => Interlocked.Increment(ref _checkpointFailures);

    /// <summary>Ends a poll: the files' lag as it left them.</summary>
    internal void PollCompleted(IReadOnlyList<FileLag> lag)
    {
        Volatile.Write(ref _lag, lag);
        Interlocked.Increment(ref _polls);
    }
}

/// <summary>How far behind one tailed file is.</summary>
public readonly record struct FileLag(string Path, long Bytes);
