using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Auditrail.Server.Durability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Auditrail.Server.Ingest;

/// <summary>
/// The write-ahead log on local disk: segment files of checksummed records (see <see cref="WalFormat"/>),
/// written by one dedicated thread that gathers every append waiting at that moment into one write and
/// one fsync (group commit), so many concurrent webhook calls cost one disk flush, and each caller's
/// task completes only after its bytes are flushed.
/// </summary>
/// <remarks>
/// Opening repairs what a crash left: a torn or corrupt record at the end of a segment (a write that was
/// never acknowledged) is cut off and logged, and sequences continue after the last valid record.
/// The writer runs on its own thread because fsync blocks, and a blocked thread-pool thread would stall
/// the requests the pool serves.
/// </remarks>
public sealed partial class WriteAheadLog : IWriteAheadLog
{
    private const string ReleasedFileName = "released";

    private readonly WriteAheadLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _releasedPath;
    private readonly BlockingCollection<PendingAppend> _queue = new(new ConcurrentQueue<PendingAppend>());
    private readonly Thread _writer;
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Open except in tests, which close it to pile appends up and see them written as one group.
    private readonly ManualResetEventSlim _writerGate = new(initialState: true);

    // Accounting of unreleased records, shared by the writer (adds) and Release (removes).
    private readonly Lock _accounting = new();
    private readonly Queue<(long Sequence, int Bytes)> _unreleased = new();
    private long _unreleasedBytes;
    private long _released;

    // The published shape of the log that readers and housekeeping work from; replaced, never mutated.
    private readonly Lock _viewLock = new();
    private LogView _view;
    private TaskCompletionSource _appended = NewSignal();

    // Writer-thread state.
    private readonly List<PendingAppend> _group = [];
    private readonly List<ReadOnlyMemory<byte>> _gather = [];
    private SafeFileHandle? _active;
    private long _activeFirstSequence;
    private long _activeLength;
    private long _nextSequence;

    private long _lastSequence;
    private long _fsyncs;
    private long _commits;
    private long _bytesWritten;
    private Exception? _fault;
    private volatile bool _disposed;

    private WriteAheadLog(WriteAheadLogOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _releasedPath = Path.Combine(options.Directory, ReleasedFileName);
        _view = new LogView([]);
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "auditrail-wal-writer" };
        _housekeeping = new Thread(HousekeepingLoop) { IsBackground = true, Name = "auditrail-wal-housekeeping" };
    }

    /// <summary>
    /// Opens (creating when missing) the log in <see cref="WriteAheadLogOptions.Directory"/>, repairing a
    /// torn tail, and starts its writer.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be read or written.</exception>
    public static WriteAheadLog Open(WriteAheadLogOptions options, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SegmentBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CapacityBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAppendsPerCommit, 1);
        var log = new WriteAheadLog(options, time, logger ?? NullLogger.Instance);
        log.Recover();
        log._writer.Start();
        log._housekeeping.Start();
        return log;
    }

    /// <summary>What opening found and repaired.</summary>
    public WriteAheadLogRecovery Recovery { get; private set; } = new(0, 0, 0, []);

    /// <inheritdoc/>
    public long LastSequence => Interlocked.Read(ref _lastSequence);

    /// <inheritdoc/>
    public long ReleasedSequence => Interlocked.Read(ref _released);

    /// <inheritdoc/>
    public long PendingBytes => Interlocked.Read(ref _unreleasedBytes);

    /// <summary>The configured limit on <see cref="PendingBytes"/>.</summary>
    public long CapacityBytes => _options.CapacityBytes;

    /// <summary>Disk flushes of appended data since open: appends per fsync shows how well group commit groups.</summary>
    public long Fsyncs => Interlocked.Read(ref _fsyncs);

    /// <summary>Group commits (one write and one fsync each) since open.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Record bytes written since open.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Segment files currently kept.</summary>
    public int SegmentCount => Volatile.Read(ref _view).Segments.Length;

    /// <inheritdoc/>
    /// <remarks>
    /// <paramref name="cancellationToken"/> is honoured until the batch is queued; once queued it is
    /// written and the call completes with its sequence, so the writer never holds a buffer its caller
    /// has already given back. <paramref name="payload"/> must stay unchanged until the call completes.
    /// </remarks>
    public ValueTask<long> AppendAsync(string source, int events, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(events);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _fault) is { } fault)
        {
            throw new IOException("the write-ahead log could not repair a failed write and accepts no appends until it is reopened", fault);
        }

        var sourceUtf8 = Encoding.UTF8.GetBytes(source);
        if (sourceUtf8.Length > WalFormat.MaxSourceBytes)
        {
            throw new ArgumentException($"a source name is at most {WalFormat.MaxSourceBytes} UTF-8 bytes", nameof(source));
        }

        if ((long)payload.Length + WalFormat.HeaderBytes + sourceUtf8.Length > WalFormat.MaxRecordBytes)
        {
            throw new ArgumentException($"a batch is at most {WalFormat.MaxRecordBytes:N0} bytes", nameof(payload));
        }

        var bytes = WalFormat.RecordBytes(sourceUtf8.Length, payload.Length);
        var pending = Interlocked.Add(ref _unreleasedBytes, bytes);
        if (pending > _options.CapacityBytes)
        {
            Interlocked.Add(ref _unreleasedBytes, -bytes);
            throw new WriteAheadLogFullException(pending - bytes, _options.CapacityBytes);
        }

        var append = new PendingAppend(sourceUtf8, events, payload, bytes);
        try
        {
            _queue.Add(append, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Adding was completed: the log is being disposed.
            Interlocked.Add(ref _unreleasedBytes, -bytes);
            throw new ObjectDisposedException(nameof(WriteAheadLog));
        }

        return new ValueTask<long>(append.Completion.Task);
    }

    /// <summary>Stops accepting appends, writes what is queued, persists the released sequence and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _queue.CompleteAdding();
        _writerGate.Set();
        await _writerStopped.Task.ConfigureAwait(false);
        StopHousekeeping();
        await _housekeepingStopped.Task.ConfigureAwait(false);
        _active?.Dispose();
        _queue.Dispose();
        _writerGate.Dispose();
        SignalReaders();
    }

    private void WriterLoop()
    {
        try
        {
            while (_queue.TryTake(out var first, Timeout.Infinite))
            {
                _writerGate.Wait();
                _group.Clear();
                _group.Add(first);
                var groupBytes = (long)first.Bytes;
                while (_group.Count < _options.MaxAppendsPerCommit && _activeLength + groupBytes < _options.SegmentBytes && _queue.TryTake(out var next))
                {
                    _group.Add(next);
                    groupBytes += next.Bytes;
                }

                Commit(_group);
            }
        }
        finally
        {
            _writerStopped.TrySetResult();
        }
    }

    /// <summary>Writes one group with one gather write and one fsync, then publishes it and completes its callers.</summary>
    private void Commit(List<PendingAppend> group)
    {
        if (Volatile.Read(ref _fault) is { } fault)
        {
            Fail(group, new IOException("the write-ahead log could not repair a failed write", fault));
            return;
        }

        var firstSequence = _nextSequence;
        var startLength = _activeLength;
        var newSegment = false;
        byte[]? headers = null;
        try
        {
            if (_active is null || _activeLength >= _options.SegmentBytes)
            {
                StartSegment(firstSequence);
                startLength = _activeLength;
            }

            // Also after a rolled-back first write, which leaves the new file empty.
            newSegment = _activeLength == 0;

            var headerBytes = 0;
            foreach (var append in group)
            {
                headerBytes += WalFormat.HeaderBytes + append.Source.Length;
            }

            headers = System.Buffers.ArrayPool<byte>.Shared.Rent(headerBytes + WalFormat.SegmentMagic.Length);
            _gather.Clear();
            var used = 0;
            if (newSegment)
            {
                WalFormat.SegmentMagic.CopyTo(headers);
                used = WalFormat.SegmentMagic.Length;
                _gather.Add(headers.AsMemory(0, used));
            }

            var appendedTicks = _time.GetUtcNow().UtcTicks;
            var sequence = firstSequence;
            foreach (var append in group)
            {
                var length = WalFormat.HeaderBytes + append.Source.Length;
                WalFormat.WriteHeader(headers.AsSpan(used, length), sequence++, append.Events, appendedTicks, append.Source, append.Payload.Span);
                _gather.Add(headers.AsMemory(used, length));
                _gather.Add(append.Payload);
                used += length;
            }

            var written = used + groupBytesOf(group);
            RandomAccess.Write(_active!, _gather, startLength);
            RandomAccess.FlushToDisk(_active!);
            if (newSegment)
            {
                // The new file's directory entry must be durable too, or a power cut could lose the whole segment.
                DurableFiles.SyncDirectory(_options.Directory);
            }

            _activeLength = startLength + written;
            _nextSequence = sequence;
            Interlocked.Increment(ref _fsyncs);
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _bytesWritten, written);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RollBack(startLength, ex);
            Fail(group, ex);
            return;
        }
        finally
        {
            _gather.Clear();
            if (headers is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(headers);
            }
        }

        Publish(group, firstSequence);

        static int groupBytesOf(List<PendingAppend> group)
        {
            var total = 0;
            foreach (var append in group)
            {
                total += append.Payload.Length;
            }

            return total;
        }
    }

    private void Publish(List<PendingAppend> group, long firstSequence)
    {
        var last = _nextSequence - 1;
        lock (_accounting)
        {
            var sequence = firstSequence;
            foreach (var append in group)
            {
                _unreleased.Enqueue((sequence++, append.Bytes));
            }
        }

        Interlocked.Exchange(ref _lastSequence, last);
        lock (_viewLock)
        {
            var segments = _view.Segments;
            var active = new SegmentInfo(_activeFirstSequence, Path.Combine(_options.Directory, WalFormat.SegmentFileName(_activeFirstSequence)), _activeLength, last);
            _view = new LogView(segments.Length > 0 && segments[^1].FirstSequence == _activeFirstSequence
                ? segments.SetItem(segments.Length - 1, active)
                : segments.Add(active));
        }

        SignalReaders();
        var completed = firstSequence;
        foreach (var append in group)
        {
            append.Completion.TrySetResult(completed++);
        }
    }

    private void StartSegment(long firstSequence)
    {
        _active?.Dispose();
        _active = null;
        var path = Path.Combine(_options.Directory, WalFormat.SegmentFileName(firstSequence));
        // Readers open the same file while it grows, and housekeeping may delete it once released.
        _active = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        _activeFirstSequence = firstSequence;
        _activeLength = 0;
    }

    /// <summary>
    /// Cuts a failed write off so the next group does not land after garbage. If even that fails the log
    /// stops accepting appends: after a failed fsync the kernel may have dropped the pages, so nothing
    /// written since can be trusted to be on disk.
    /// </summary>
    private void RollBack(long length, Exception cause)
    {
        LogWriteFailed(_logger, cause.Message);
        try
        {
            if (_active is not null)
            {
                RandomAccess.SetLength(_active, length);
                RandomAccess.FlushToDisk(_active);
                _activeLength = length;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Volatile.Write(ref _fault, ex);
            LogFaulted(_logger, ex.Message);
        }
    }

    private void Fail(List<PendingAppend> group, Exception error)
    {
        foreach (var append in group)
        {
            Interlocked.Add(ref _unreleasedBytes, -append.Bytes);
            append.Completion.TrySetException(error);
        }
    }

    /// <summary>Test seam: the writer stops before its next group until <see cref="ResumeWriter"/>.</summary>
    internal void PauseWriter() => _writerGate.Reset();

    internal void ResumeWriter() => _writerGate.Set();

    private void SignalReaders() => Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = 9100, Level = LogLevel.Error, Message = "Write-ahead log write failed; the batch was refused: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Critical, Message = "Write-ahead log could not cut off a failed write and refuses appends until reopened: {Reason}")]
    private static partial void LogFaulted(ILogger logger, string reason);

    /// <summary>One caller's batch waiting for the writer.</summary>
    private sealed class PendingAppend(byte[] source, int events, ReadOnlyMemory<byte> payload, int bytes)
    {
        public byte[] Source { get; } = source;

        public int Events { get; } = events;

        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public int Bytes { get; } = bytes;

        // Continuations run elsewhere, so a caller's code never runs on (and never stalls) the writer thread.
        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A segment as readers see it: its records are in [<see cref="FirstSequence"/>, <see cref="LastSequence"/>] and end at <see cref="Length"/>.</summary>
    internal sealed record SegmentInfo(long FirstSequence, string Path, long Length, long LastSequence);

    /// <summary>The segments at one moment, oldest first; the last one may still grow.</summary>
    internal sealed record LogView(ImmutableArray<SegmentInfo> Segments);
}
