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

    private void Discover(DateTimeOffset now)
    {
        var found = new List<(string Path, FileIdentity Identity)>();
        var paths = _options.Paths.SelectMany(Expand).Distinct(StringComparer.Ordinal).ToList();
        foreach (var path in paths.Where(p => !IsCompressed(p)))
        {
            if (FileIdentity.Of(path) is { } identity)
            {
                found.Add((path, identity));
            }
        }

        foreach (var file in _files)
        {
            file.Matched = false;
        }

        var fresh = new List<(string Path, FileIdentity Identity)>();
        foreach (var (path, identity) in found)
        {
            if (_files.Find(f => f.Identity == identity) is { } known)
            {
                if (!known.Matched && !string.Equals(known.Path, path, StringComparison.Ordinal))
                {
                    _counters.AddRotation();
                    LogRenamed(_logger, known.Path, path);
                    known.Path = path;
                    _checkpointDirty = true;
                }

                known.Matched = true;
            }
            else if (!fresh.Exists(f => f.Identity == identity))
            {
                fresh.Add((path, identity));
            }
        }

        DiscoverCompressed(paths.Where(IsCompressed));
        if (_firstPoll)
        {
            ResumeRenamedWhileStopped(fresh, now);
        }

        foreach (var (path, identity) in fresh)
        {
            Track(path, identity);
        }

        foreach (var file in _files)
        {
            file.UnmatchedSince = file.Matched ? null : file.UnmatchedSince ?? now;
        }

        _firstPoll = false;
    }

    /// <summary>
    /// Compressed files: skipped (reported once each), or with <see cref="CompressedFileMode.ReadOnce"/>
    /// read from where their content was left (a checkpoint, or the file they were compressed from) unless
    /// already read to the end.
    /// </summary>
    private void DiscoverCompressed(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (_options.CompressedFiles == CompressedFileMode.Skip)
            {
                if (_reportedCompressed.Add(path))
                {
                    LogCompressedSkipped(_logger, path);
                }

                continue;
            }

            if (_compressedDone.Contains(path) || _files.Exists(f => f.Compressed && string.Equals(f.Path, path, StringComparison.Ordinal)))
            {
                continue;
            }

            // Not yet a whole first line, or not gzip at all: nothing to read now.
            if (FileIdentity.OfCompressed(path) is not { } identity || _files.Exists(f => f.Identity == identity))
            {
                // The second case: the file it was compressed from is still open and read through its handle.
                continue;
            }

            _finished.TryGetValue(identity.Hex, out var finished);
            if (finished is { Complete: true })
            {
                _compressedDone.Add(path);
                continue;
            }

            var start = _unresolved.Remove(identity.Hex, out var saved) ? saved : finished;
            if (TryOpen(path) is { } handle)
            {
                _files.Add(new TailedFile(handle, path, identity, start?.Offset ?? 0, start?.Line ?? 0) { Compressed = true });
                LogTracking(_logger, path, start?.Offset ?? 0, start?.Line ?? 0);
                _checkpointDirty = true;
            }
        }
    }

    private void Track(string path, FileIdentity identity)
    {
        var handle = TryOpen(path);
        if (handle is null)
        {
            return;
        }

        if (FileIdentity.Of(handle) != identity)
        {
            // Replaced between the look and the open; the next poll sees the new one.
            handle.Dispose();
            return;
        }

        // A file let go of earlier (deleted and back, or the copy of one truncated) goes on where it ended.
        var (offset, line) = _unresolved.Remove(identity.Hex, out var saved) || _finished.Remove(identity.Hex, out saved)
            ? (saved.Offset, saved.Line)
            : _firstPoll && _options.StartAtEnd ? EndOfLastLine(handle) : (0L, 0L);

        if (_files.Find(f => !f.Matched && string.Equals(f.Path, path, StringComparison.Ordinal)) is { } previous)
        {
            previous.Replaced = true;
            _counters.AddRotation();
            LogRotated(_logger, path);
        }

        _files.Add(new TailedFile(handle, path, identity, offset, line));
        _checkpointDirty = true;
        LogTracking(_logger, path, offset, line);
    }

    /// <summary>
    /// A checkpointed file that no configured path leads to was probably rotated while the server was
    /// down: it is looked for by identity beside where it was, and its unread end is read before the
    /// file that took its name.
    /// </summary>
    private void ResumeRenamedWhileStopped(List<(string Path, FileIdentity Identity)> fresh, DateTimeOffset now)
    {
        foreach (var saved in _unresolved.Values.ToArray())
        {
            if (fresh.Exists(f => f.Identity.Hex == saved.Identity) || Path.GetDirectoryName(saved.Path) is not { Length: > 0 } directory || !Directory.Exists(directory))
            {
                continue;
            }

            foreach (var candidate in Directory.EnumerateFiles(directory).Where(p => !IsCompressed(p)).Order(StringComparer.Ordinal))
            {
                if (FileIdentity.Of(candidate) is not { } identity || identity.Hex != saved.Identity || TryOpen(candidate) is not { } handle)
                {
                    continue;
                }

                _counters.AddRotation();
                LogRenamed(_logger, saved.Path, candidate);
                _unresolved.Remove(saved.Identity);
                // First in the list, so its remaining lines go before those of the file that took its name.
                _files.Insert(0, new TailedFile(handle, candidate, identity, saved.Offset, saved.Line) { Matched = false, Replaced = true, UnmatchedSince = now });
                break;
            }
        }

        foreach (var gone in _unresolved.Values.Where(p => !fresh.Exists(f => f.Identity.Hex == p.Identity)).ToArray())
        {
            LogForgotten(_logger, gone.Path, gone.Line);
            _unresolved.Remove(gone.Identity);
            _checkpointDirty = true;
        }
    }

    private Microsoft.Win32.SafeHandles.SafeFileHandle? TryOpen(string path)
    {
        try
        {
            return FileIdentity.OpenShared(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogOpenFailed(_logger, path, ex.Message);
            return null;
        }
    }

    /// <summary>Start-at-end begins after the last complete line, counting lines on the way so diagnostics keep true line numbers.</summary>
    private (long Offset, long Line) EndOfLastLine(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        long position = 0, lines = 0, afterLastNewline = 0;
        int n;
        while ((n = RandomAccess.Read(handle, _buffer, position)) > 0)
        {
            var chunk = _buffer.AsSpan(0, n);
            lines += chunk.Count((byte)'\n');
            var last = chunk.LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                afterLastNewline = position + last + 1;
            }

            position += n;
        }

        return (afterLastNewline, lines);
    }

    private static IEnumerable<string> Expand(string pattern)
    {
        var full = Path.GetFullPath(pattern);
        var name = Path.GetFileName(full);
        if (name.AsSpan().IndexOfAny('*', '?') < 0)
        {
            return [full];
        }

        var directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, name, new EnumerationOptions { MatchType = MatchType.Simple, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseSensitive })
            .Order(StringComparer.Ordinal);
    }

    private static bool IsCompressed(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

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
            if (_options.Cluster is { } cluster)
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

    [LoggerMessage(EventId = 7300, Level = LogLevel.Warning, Message = "{Path}:{Line}: skipped, not an audit event: {Reason}")]
    private static partial void LogBadLine(ILogger logger, string path, long line, string reason);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Warning, Message = "{Path}:{Line}: skipped, the line is longer than the {Limit}-byte limit")]
    private static partial void LogLineTooLong(ILogger logger, string path, long line, int limit);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning, Message = "{Path} was truncated (read up to byte {Offset}, now {Length} bytes, or rewritten from its start); reading it again from the beginning")]
    private static partial void LogTruncated(ILogger logger, string path, long offset, long length);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Information, Message = "{Path} was rotated: the previous file is read to its end, then the new one")]
    private static partial void LogRotated(ILogger logger, string path);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Information, Message = "{From} is now {To}; reading on where it stood")]
    private static partial void LogRenamed(ILogger logger, string from, string to);

    [LoggerMessage(EventId = 7305, Level = LogLevel.Information, Message = "tailing {Path} from byte {Offset} (line {Line})")]
    private static partial void LogTracking(ILogger logger, string path, long offset, long line);

    [LoggerMessage(EventId = 7306, Level = LogLevel.Information, Message = "done with {Path} after line {Line}: {Reason}")]
    private static partial void LogReleased(ILogger logger, string path, long line, string reason);

    [LoggerMessage(EventId = 7307, Level = LogLevel.Warning, Message = "the write-ahead queue is full ({Pending} of {Capacity} bytes); holding {Path} and retrying")]
    private static partial void LogWalFull(ILogger logger, string path, long pending, long capacity);

    [LoggerMessage(EventId = 7308, Level = LogLevel.Error, Message = "appending events from {Path} to the write-ahead queue failed; retrying")]
    private static partial void LogAppendFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 7309, Level = LogLevel.Information, Message = "appending events from {Path} succeeded after {Failures} failed attempts")]
    private static partial void LogAppendRecovered(ILogger logger, string path, int failures);

    [LoggerMessage(EventId = 7310, Level = LogLevel.Error, Message = "the tail checkpoint {Path} cannot be read ({Reason}); files are read from their start and the store drops what it already has")]
    private static partial void LogCheckpointUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7311, Level = LogLevel.Error, Message = "the tail checkpoint {Path} cannot be written ({Reason}); retrying at the next batch")]
    private static partial void LogCheckpointFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7312, Level = LogLevel.Warning, Message = "{Path} cannot be opened: {Reason}")]
    private static partial void LogOpenFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7313, Level = LogLevel.Information, Message = "{Path} is compressed and not read (compressed files: Skip); a file that was tailed was read before lumberjack compressed it")]
    private static partial void LogCompressedSkipped(ILogger logger, string path);

    [LoggerMessage(EventId = 7314, Level = LogLevel.Warning, Message = "{Path} (checkpointed at line {Line}) is gone; its position is forgotten")]
    private static partial void LogForgotten(ILogger logger, string path, long line);

    [LoggerMessage(EventId = 7316, Level = LogLevel.Warning, Message = "{Path} cannot be read: {Reason}; trying again at the next poll")]
    private static partial void LogReadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7315, Level = LogLevel.Error, Message = "a file-tail poll failed; retrying from the checkpointed state")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
