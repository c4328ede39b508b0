using System.Runtime.CompilerServices;
using System.Text;
using Auditrail.Server.Ingest;

namespace Auditrail.Server.Tests.Sources;

/// <summary>
/// A test double for <see cref="IWriteAheadLog"/> that keeps appended batches in memory; the real,
/// disk-backed log is built separately. It can be switched to "full" to exercise back-pressure.
/// </summary>
internal sealed class InMemoryWriteAheadLog : IWriteAheadLog
{
    private readonly Lock _gate = new();
    private readonly List<WalRecord> _records = [];
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

    public long ReleasedSequence => 0;

    public long PendingBytes
    {
        get
        {
            lock (_gate)
            {
                return _records.Sum(r => (long)r.Payload.Length);
            }
        }
    }

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

    public ValueTask<long> AppendAsync(string source, int events, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_full)
        {
            Interlocked.Increment(ref _refusedAppends);
            throw new WriteAheadLogFullException(1024, 1024);
        }

        lock (_gate)
        {
            // The caller may reuse its buffer once the append returns, as with the real log.
            var record = new WalRecord(_records.Count + 1, source, events, DateTimeOffset.UnixEpoch, payload.ToArray());
            _records.Add(record);
            return ValueTask.FromResult(record.Sequence);
        }
    }

    public async IAsyncEnumerable<WalRecord> ReadAsync(long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var record in Records.Where(r => r.Sequence > afterSequence))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    public void Release(long sequence)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
