using System.Buffers;
using System.Text.Json;
using Auditrail.Server.Ingest;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Sources;

/// <summary>
/// Reads kube-apiserver log-backend files as they grow and appends their events to the write-ahead log,
/// then records how far it got. One loop, one thread at a time: files are polled (a
/// FileSystemWatcher would only shorten the wait, and misses events on network and overlay mounts).
/// </summary>
/// <remarks>
/// <para>
/// Delivery: a batch is appended (the log returns after fsync) and only then is the checkpoint
/// replaced, so an event is never checkpointed without being in the log. A crash between the two
/// re-appends that one batch after restart; the store deduplicates by auditID and stage.
/// </para>
/// <para>
/// Rotation: files are tracked by <see cref="FileIdentity"/> and read through the handle opened when
/// first seen, so a file renamed away (lumberjack's <c>audit-TIMESTAMP.log</c>) or deleted is still
/// read to its end before it is let go, and a rotated file matched again by a glob is recognized as
/// the same file. A file shorter than its read offset, or whose first line changed, was truncated in
/// place (copytruncate) and is read again from its start.
/// </para>
/// </remarks>
internal sealed partial class FileTailer
{
    /// <summary>A busy file yields to the others after this many appends in one poll.</summary>
    private const int MaxBatchesPerFilePerPoll = 16;

    /// <summary>Lines are assembled in a buffer that starts here and grows, on demand only, to the line limit.</summary>
    private const int InitialBufferBytes = 64 * 1024;

    /// <summary>Far more than lumberjack's usual backups (<c>--audit-log-maxbackup</c>), and a small checkpoint still.</summary>
    private const int MaxFinished = 256;

    private readonly IWriteAheadLog _wal;
    private readonly FileTailOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileTailCounters _counters;
    private readonly List<TailedFile> _files = [];
    private readonly ArrayBufferWriter<byte> _batch = new();

    /// <summary>The configured cluster, JSON-encoded once rather than for every line; null to keep the events' own.</summary>
    private readonly JsonEncodedText? _cluster;
    private readonly HashSet<string> _reportedCompressed = new(StringComparer.Ordinal);
    private Dictionary<string, TailPosition> _unresolved = new(StringComparer.Ordinal);

    /// <summary>Files let go of, newest last, so a compressed copy of one is not read again; bounded by <see cref="MaxFinished"/>.</summary>
    private readonly OrderedDictionary<string, TailPosition> _finished = new(StringComparer.Ordinal);

    /// <summary>Compressed files read to their end in this run, by path: not even decompressed again to be identified.</summary>
    private readonly HashSet<string> _compressedDone = new(StringComparer.Ordinal);
    private byte[] _buffer;
    private int _batchEvents;
    private bool _firstPoll = true;
    private bool _checkpointDirty;

    public FileTailer(IWriteAheadLog wal, FileTailOptions options, TimeProvider time, ILogger logger, FileTailCounters counters)
    {
        ArgumentNullException.ThrowIfNull(wal);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _wal = wal;
        _options = options;
        _time = time;
        _logger = logger;
        _counters = counters;
        _cluster = options.Cluster is { } cluster ? ClusterStamp.EncodeCluster(cluster) : null;
        _buffer = new byte[Math.Min(InitialBufferBytes, options.MaxLineBytes + 1)];
    }

    /// <summary>Tails until <paramref name="cancellationToken"/> is cancelled; never throws for bad files or a failing log.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        LoadCheckpoint();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var more = false;
                try
                {
                    more = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // The loop must outlive any one failure: the next poll starts from the checkpointed state.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogPollFailed(_logger, ex);
                }

                if (!more)
                {
                    try
                    {
                        await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            foreach (var file in _files)
            {
                file.Dispose();
            }

            _files.Clear();
        }
    }

    /// <summary>One look at every file: notice truncation, rotation and new files, read what was appended.</summary>
    /// <returns>True when a file has more to read right away.</returns>
    internal async Task<bool> PollOnceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var file in _files)
        {
            try
            {
                DetectTruncation(file);
            }
            catch (IOException ex)
            {
                LogReadFailed(_logger, file.Path, ex.Message);
            }
        }

        Discover(now);
        var more = false;
        foreach (var file in _files.ToArray())
        {
            try
            {
                more |= await ReadAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex) when (file.Compressed)
            {
                // A corrupt archive stays corrupt: it is reported once and not read again.
                LogReadFailed(_logger, file.Path, ex.Message);
                Release(file, "it is not valid gzip");
                continue;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // One unreadable file must not hold up the others; it is tried again at the next poll.
                LogReadFailed(_logger, file.Path, ex.Message);
                continue;
            }

            if (file.AtEnd && file.Compressed)
            {
                Release(file, "compressed, read to its end");
            }
            else if (file.AtEnd && !file.Matched && (file.Replaced || now - file.UnmatchedSince >= _options.ReleaseUnmatchedAfter))
            {
                Release(file, file.Replaced ? "another file took its name" : "no configured path leads to it any more");
            }
        }

        if (_checkpointDirty)
        {
            SaveCheckpoint();
        }

        _counters.PollCompleted([.. _files.Select(f => new FileLag(f.Path, Math.Max(0, f.Length - f.Offset)))]);
        return more;
    }

    /// <summary>Closes a file and remembers where it ended.</summary>
    private void Release(TailedFile file, string reason)
    {
        LogReleased(_logger, file.Path, file.Line, reason);
        if (file.Position is { } position)
        {
            Remember(position with { Complete = file.Compressed });
        }

        if (file.Compressed)
        {
            _compressedDone.Add(file.Path);
        }

        file.Dispose();
        _files.Remove(file);
        _checkpointDirty = true;
    }

    private void Remember(TailPosition position)
    {
        _finished.Remove(position.Identity);
        _finished.Add(position.Identity, position);
        if (_finished.Count > MaxFinished)
        {
            _finished.RemoveAt(0);
        }
    }

    private void LoadCheckpoint()
    {
        try
        {
            var state = TailCheckpoint.Load(_options.CheckpointFile);
            _unresolved = state.Tailed.ToDictionary(p => p.Identity, StringComparer.Ordinal);
            foreach (var finished in state.Finished)
            {
                _finished[finished.Identity] = finished;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Reading from the start re-appends events the store already has (it deduplicates); refusing
            // to start would stop the audit trail altogether.
            LogCheckpointUnreadable(_logger, _options.CheckpointFile, ex.Message);
        }
    }

    private void SaveCheckpoint()
    {
        try
        {
            TailCheckpoint.Save(_options.CheckpointFile, _files.Select(f => f.Position).OfType<TailPosition>().Concat(_unresolved.Values), _finished.Values);
            _checkpointDirty = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _counters.AddCheckpointFailure();
            LogCheckpointFailed(_logger, _options.CheckpointFile, ex.Message);
            _checkpointDirty = true;
        }
    }

    /// <summary>
    /// Truncation shows as a length under the read offset, or, when the file grew back past it before
    /// this poll, as a different first line.
    /// </summary>
    private void DetectTruncation(TailedFile file)
    {
        if (file.Compressed)
        {
            return;
        }

        var length = RandomAccess.GetLength(file.Handle);
        var identity = FileIdentity.Of(file.Handle);
        if (file.Identity is null)
        {
            file.Identity = identity;
            return;
        }

        if (length >= file.Offset && identity == file.Identity)
        {
            return;
        }

        _counters.AddTruncation();
        LogTruncated(_logger, file.Path, file.Offset, length);
        // copytruncate copied the content first: if a glob matches the copy, it goes on from here, not from its start.
        Remember(file.Position!);
        file.Offset = 0;
        file.Line = 0;
        file.Identity = identity;
        _checkpointDirty = true;
    }

    /// <summary>Reads complete lines from the file's checkpointed offset; a partial last line waits for its newline.</summary>
    /// <returns>True when the file was left with more to read (the per-poll budget ran out).</returns>
    private async Task<bool> ReadAsync(TailedFile file, CancellationToken cancellationToken)
    {
        _batch.ResetWrittenCount();
        _batchEvents = 0;
        file.AtEnd = false;
        var windowStart = file.Offset;
        var filled = 0;
        var line = file.Line;
        var processedOffset = file.Offset;
        var skippingLongLine = false;
        var appends = 0;
        long linesRead = 0;
        try
        {
            // A compressed file is read in one go: resuming it later would mean decompressing it from its start again.
            while (file.Compressed || appends < MaxBatchesPerFilePerPoll)
            {
                var read = file.Read(_buffer.AsSpan(filled), windowStart + filled);
                if (read == 0)
                {
                    file.AtEnd = true;
                    break;
                }

                filled += read;
                var consumed = 0;
                int newline;
                while ((newline = _buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n')) >= 0)
                {
                    // Offsets, not spans: a span cannot live across the awaits below.
                    var start = consumed;
                    consumed += newline + 1;
                    line++;
                    linesRead++;
                    if (skippingLongLine)
                    {
                        skippingLongLine = false;
                        _counters.AddTooLong();
                        LogLineTooLong(_logger, file.Path, line, _options.MaxLineBytes);
                    }
                    else if (!IsBlank(_buffer.AsSpan(start, newline)))
                    {
                        if (_batchEvents > 0 && _batch.WrittenCount + newline + 128 > _options.MaxBatchBytes)
                        {
                            // Flushes the lines before this one; the read buffer is untouched meanwhile.
                            await FlushAsync(file, processedOffset, line - 1, cancellationToken).ConfigureAwait(false);
                            appends++;
                        }

                        Accept(file, _buffer.AsSpan(start, newline), line);
                    }

                    processedOffset = windowStart + consumed;
                    if (_batchEvents >= _options.MaxBatchEvents)
                    {
                        await FlushAsync(file, processedOffset, line, cancellationToken).ConfigureAwait(false);
                        appends++;
                    }
                }

                _buffer.AsSpan(consumed, filled - consumed).CopyTo(_buffer);
                windowStart += consumed;
                filled -= consumed;
                if (filled == _buffer.Length)
                {
                    if (_buffer.Length <= _options.MaxLineBytes)
                    {
                        Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, _options.MaxLineBytes + 1L));
                    }
                    else
                    {
                        // Longer than any line may be: forget what is buffered and skip to the line's end,
                        // so memory stays bounded whatever a writer does.
                        skippingLongLine = true;
                        windowStart += filled;
                        filled = 0;
                    }
                }
            }

            if (_batchEvents > 0)
            {
                await FlushAsync(file, processedOffset, line, cancellationToken).ConfigureAwait(false);
            }
            else if (processedOffset != file.Offset)
            {
                file.Offset = processedOffset;
                file.Line = line;
                _checkpointDirty = true;
            }
        }
        finally
        {
            _counters.AddLinesRead(linesRead);
        }

        file.Length = file.CurrentLength();
        return !file.AtEnd;
    }

    private static bool IsBlank(ReadOnlySpan<byte> content) => content.Trim(" \t\r"u8).IsEmpty;

    /// <summary>Adds one line to the batch, stamped; a line that is not one JSON object is reported and skipped.</summary>
    private void Accept(TailedFile file, ReadOnlySpan<byte> content, long line)
    {
        if (line == 1 && content.StartsWith("\uFEFF"u8))
        {
            // A byte-order mark left by an editor or a Windows tool; kube-apiserver never writes one.
            content = content[3..];
        }

        try
        {
            if (_cluster is { } cluster)
            {
                ClusterStamp.WriteLine(content, cluster, _batch);
            }
            else
            {
                CheckIsOneObject(content);
                var trimmed = content.TrimEnd((byte)'\r');
                trimmed.CopyTo(_batch.GetSpan(trimmed.Length + 1));
                _batch.GetSpan(trimmed.Length + 1)[trimmed.Length] = (byte)'\n';
                _batch.Advance(trimmed.Length + 1);
            }

            _batchEvents++;
        }
        catch (JsonException ex)
        {
            _counters.AddNotJson();
            LogBadLine(_logger, file.Path, line, ex.Message);
        }
    }

    private static void CheckIsOneObject(ReadOnlySpan<byte> content)
    {
        var reader = new Utf8JsonReader(content, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("an audit event must be a JSON object");
        }

        reader.Skip();
        if (reader.Read())
        {
            throw new JsonException("unexpected data after the audit event's closing brace");
        }
    }

    /// <summary>
    /// Appends the batch, retrying while the log is full or failing (backing off up to
    /// <see cref="FileTailOptions.MaxRetryDelay"/>): the file holds the events meanwhile, so nothing is
    /// dropped. Then moves the file's checkpoint past them.
    /// </summary>
    private async Task FlushAsync(TailedFile file, long offset, long line, CancellationToken cancellationToken)
    {
        var delay = _options.PollInterval;
        var failures = 0;
        while (true)
        {
            try
            {
                await _wal.AppendAsync(file.Path, _batchEvents, _batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (WriteAheadLogFullException ex)
            {
                if (failures++ == 0)
                {
                    LogWalFull(_logger, file.Path, ex.PendingBytes, ex.CapacityBytes);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures++;
                LogAppendFailed(_logger, file.Path, ex);
            }

            _counters.AddAppendRetry();
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }

        if (failures > 0)
        {
            LogAppendRecovered(_logger, file.Path, failures);
        }

        _counters.AddAppended(_batchEvents);
        _batch.ResetWrittenCount();
        _batchEvents = 0;
        file.Offset = offset;
        file.Line = line;
        SaveCheckpoint();
    }
}
