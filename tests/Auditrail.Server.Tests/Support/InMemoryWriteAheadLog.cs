using System.Runtime.CompilerServices;
using System.Text;
using Auditrail.Server.Ingest;

namespace Auditrail.Server.Tests.Support;

/// <summary>
/// TEST DOUBLE of <see cref="IWriteAheadLog"/> (the real log is built separately): records kept in memory,
/// which outlive the pipelines a test starts and stops against it, as a log on disk outlives a process.
/// Released records stay readable, so a pipeline that resumes from an old checkpoint would see them again.
/// It can be switched to "full" to exercise back-pressure.
/// </summary>
internal sealed class InMemoryWriteAheadLog : IWriteAheadLog
{
    private readonly Lock _gate = new();
    private readonly List<WalRecord> _records = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _released;
    private volatile bool _full;
    private int _refusedAppends;

    /// <summary>While true, every append throws <see cref="WriteAheadLogFullException"/>.</summary>
    public bool Full
    {
        get => _full;
        set => _full = value;
    }

    /// <summary>Appends refused while <see cref="Full"/>.</summary>
    public int RefusedAppends => Volatile.Read(ref _refusedAppends);

    /// <summary>Every appended batch so far.</summary>
    public IReadOnlyList<WalRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>Every appended event line, in append order, without its newline.</summary>
    public IReadOnlyList<string> Lines =>
        [.. Records.SelectMany(r => Encoding.UTF8.GetString(r.Payload.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))];

    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    public long ReleasedSequence => Interlocked.Read(ref _released);

    public long PendingBytes
    {
        get
        {
            lock (_gate)
            {
                return _records.Where(r => r.Sequence > _released).Sum(r => (long)r.Payload.Length);
            }
        }
    }

    /// <summary>Every <see cref="Release"/> call, in order.</summary>
    public List<long> Releases { get; } = [];

    public ValueTask<long> AppendAsync(string source, int events, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_full)
        {
            Interlocked.Increment(ref _refusedAppends);
            throw new WriteAheadLogFullException(1024, 1024);
        }

        TaskCompletionSource appended;
        long sequence;
        lock (_gate)
        {
            // The caller may reuse its buffer once the append returns, as with the real log.
            sequence = _records.Count + 1;
            _records.Add(new WalRecord(sequence, source, events, DateTimeOffset.UnixEpoch, payload.ToArray()));
            appended = _appended;
            _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        appended.SetResult();
        return ValueTask.FromResult(sequence);
    }

    public ValueTask<long> AppendLinesAsync(params string[] lines) =>
        AppendAsync("test", lines.Length, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

    public async IAsyncEnumerable<WalRecord> ReadAsync(long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = afterSequence + 1;
        while (true)
        {
            WalRecord? record = null;
            Task wait;
            lock (_gate)
            {
                if (next <= _records.Count)
                {
                    record = _records[(int)next - 1];
                }

                wait = _appended.Task;
            }

            if (record is { } found)
            {
                next++;
                yield return found;
                continue;
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    public void Release(long sequence)
    {
        lock (_gate)
        {
            Releases.Add(sequence);
            _released = Math.Max(_released, sequence);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
