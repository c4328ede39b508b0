using System.Globalization;
using Auditrail.Server.Durability;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Ingest;

public sealed partial class WriteAheadLog
{
    private readonly Thread _housekeeping;
    private readonly TaskCompletionSource _housekeepingStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _housekeepingWake = new(0);
    private volatile bool _housekeepingStopping;
    private long _persistedReleased;
    private TaskCompletionSource _persisted = NewSignal();

    /// <inheritdoc/>
    /// <remarks>
    /// Frees the capacity at once; the sequence is written to disk (and wholly released segments deleted)
    /// by a background thread moments later, so the pipeline never waits for an fsync here. After a crash
    /// in between, the records since the last persisted release are read again: delivery is at least once.
    /// Use <see cref="ReleaseAsync"/> to wait until the release is durable.
    /// </remarks>
    public void Release(long sequence)
    {
        long freed = 0;
        lock (_accounting)
        {
            // A sequence never appended cannot be finished with; clamping keeps the accounting exact.
            sequence = Math.Min(sequence, Interlocked.Read(ref _lastSequence));
            if (sequence <= _released)
            {
                return;
            }

            Interlocked.Exchange(ref _released, sequence);
            while (_unreleased.TryPeek(out var record) && record.Sequence <= sequence)
            {
                _unreleased.Dequeue();
                freed += record.Bytes;
            }
        }

        Interlocked.Add(ref _unreleasedBytes, -freed);
        _housekeepingWake.Release();
    }

    /// <summary>
    /// Releases like <see cref="Release"/> and completes once the released sequence is on disk and the
    /// segments it covers are deleted.
    /// </summary>
    public async Task ReleaseAsync(long sequence, CancellationToken cancellationToken = default)
    {
        Release(sequence);
        var target = Math.Min(sequence, LastSequence);
        while (true)
        {
            var signal = Volatile.Read(ref _persisted);
            if (Interlocked.Read(ref _persistedReleased) >= target)
            {
                return;
            }

            ObjectDisposedException.ThrowIf(_housekeepingStopping, this);
            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Persists releases (coalescing a burst into one write) and deletes segments they cover.</summary>
    private void HousekeepingLoop()
    {
        try
        {
            while (true)
            {
                _housekeepingWake.Wait();
                // Everything released so far is handled in one pass; wake-ups queued meanwhile find nothing new.
                PersistRelease();
                if (_housekeepingStopping)
                {
                    return;
                }
            }
        }
        finally
        {
            _housekeepingStopped.TrySetResult();
            Interlocked.Exchange(ref _persisted, NewSignal()).TrySetResult();
        }
    }

    private void PersistRelease()
    {
        var released = Interlocked.Read(ref _released);
        if (released <= Interlocked.Read(ref _persistedReleased))
        {
            return;
        }

        try
        {
            DurableFiles.ReplaceAtomically(_releasedPath, released.ToString(CultureInfo.InvariantCulture) + "\n");
            DeleteReleasedSegments(released);
            // Published last, so a finished ReleaseAsync also means the covered segments are gone.
            Interlocked.Exchange(ref _persistedReleased, released);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next release tries again; until then a restart re-reads a little more than needed.
            LogReleaseFailed(_logger, ex.Message);
        }

        Interlocked.Exchange(ref _persisted, NewSignal()).TrySetResult();
    }

    /// <summary>
    /// Deletes closed segments whose records are all released, and only after the release is on disk:
    /// otherwise a crash could lose both the records and the knowledge that they were done with, and the
    /// next start would reuse their sequences.
    /// </summary>
    private void DeleteReleasedSegments(long released)
    {
        List<SegmentInfo> doomed = [];
        lock (_viewLock)
        {
            var segments = _view.Segments;
            // The newest segment stays: the writer may still be appending to it.
            var keepFrom = 0;
            while (keepFrom < segments.Length - 1 && segments[keepFrom].LastSequence <= released)
            {
                doomed.Add(segments[keepFrom]);
                keepFrom++;
            }

            if (keepFrom == 0)
            {
                return;
            }

            _view = new LogView(segments.RemoveRange(0, keepFrom));
        }

        foreach (var segment in doomed)
        {
            // A reader still inside the file keeps reading it: an open file outlives its directory entry.
            File.Delete(segment.Path);
        }

        DurableFiles.SyncDirectory(_options.Directory);
    }

    private long ReadReleasedFile()
    {
        if (!File.Exists(_releasedPath))
        {
            return 0;
        }

        var text = File.ReadAllText(_releasedPath).Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var released))
        {
            return released;
        }

        // Written by rename, so this is outside damage; starting from 0 re-reads rather than loses.
        LogReleasedUnreadable(_logger, _releasedPath);
        return 0;
    }

    private void StopHousekeeping()
    {
        _housekeepingStopping = true;
        _housekeepingWake.Release();
    }

    [LoggerMessage(EventId = 9104, Level = LogLevel.Warning, Message = "Write-ahead log: could not persist the released sequence, will retry: {Reason}")]
    private static partial void LogReleaseFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Error, Message = "Write-ahead log: {Path} does not hold a sequence number; reading from the oldest record kept")]
    private static partial void LogReleasedUnreadable(ILogger logger, string path);
}
