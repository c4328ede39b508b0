namespace Auditrail.Server.Ingest;

/// <summary>What the webhook did since start, counted lock-free; <see cref="IngestMetrics"/> exports it.</summary>
public sealed class IngestCounters
{
    // The answers the endpoint gives; anything else (a 500 from the host) lands in the last slot.
    private static readonly int[] KnownStatuses = [200, 400, 401, 403, 413, 429, 503];
    private readonly long[] _requests = new long[KnownStatuses.Length + 1];
    private long _events;
    private long _badRecords;
    private long _bytes;
    private long _appends;
    private long _appendTicks;

    public long EventsAccepted => Interlocked.Read(ref _events);

    public long BadRecords => Interlocked.Read(ref _badRecords);

    public long BytesReceived => Interlocked.Read(ref _bytes);

    public long Appends => Interlocked.Read(ref _appends);

    /// <summary>Total time callers waited in AppendAsync (write and fsync included).</summary>
    public TimeSpan AppendTime => TimeSpan.FromTicks(Interlocked.Read(ref _appendTicks));

    /// <summary>Requests answered with <paramref name="status"/> (other statuses are counted together under 0).</summary>
    public long Requests(int status) => Interlocked.Read(ref _requests[Slot(status)]);

    /// <summary>Every status with its count, for export.</summary>
    public IEnumerable<(int Status, long Count)> RequestsByStatus()
    {
        for (var i = 0; i < KnownStatuses.Length; i++)
        {
            yield return (KnownStatuses[i], Interlocked.Read(ref _requests[i]));
        }

        yield return (0, Interlocked.Read(ref _requests[KnownStatuses.Length]));
    }

    internal void Answered(int status) => Interlocked.Increment(ref _requests[Slot(status)]);

    internal void Received(long bytes) => Interlocked.Add(ref _bytes, bytes);

    internal void Accepted(int events) => Interlocked.Add(ref _events, events);

    internal void Bad(int records) => Interlocked.Add(ref _badRecords, records);

    internal void Appended(TimeSpan took)
    {
        Interlocked.Increment(ref _appends);
        Interlocked.Add(ref _appendTicks, took.Ticks);
    }

    private static int Slot(int status)
    {
        var slot = Array.IndexOf(KnownStatuses, status);
        return slot < 0 ? KnownStatuses.Length : slot;
    }
}
