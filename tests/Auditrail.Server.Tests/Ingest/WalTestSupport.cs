using System.Text;
using Auditrail.Server.Ingest;

namespace Auditrail.Server.Tests.Ingest;

/// <summary>A temporary folder for one test's log, deleted afterwards.</summary>
internal sealed class WalDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("auditrail-wal-").FullName;

    public WriteAheadLogOptions Options(long segmentBytes = 64L * 1024 * 1024, long capacityBytes = 1L << 30) =>
        new() { Directory = Path, SegmentBytes = segmentBytes, CapacityBytes = capacityBytes };

    public WriteAheadLog Open(long segmentBytes = 64L * 1024 * 1024, long capacityBytes = 1L << 30) =>
        WriteAheadLog.Open(Options(segmentBytes, capacityBytes), FixedTime.Instance);

    public string[] Segments() => [.. Directory.GetFiles(Path, "*.wal").Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A reader still closing its handle; the OS cleans the temp folder eventually.
        }
    }
}

/// <summary>A clock stopped at one instant, so append times are known.</summary>
internal sealed class FixedTime : TimeProvider
{
    public static readonly DateTimeOffset Now = new(2026, 5, 4, 10, 30, 0, TimeSpan.Zero);

    public static FixedTime Instance { get; } = new();

    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class WalReading
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Reads <paramref name="count"/> records after <paramref name="after"/>, copying payloads out (they are only valid until the next record).</summary>
    public static async Task<List<(WalRecord Record, string Payload)>> TakeAsync(IWriteAheadLog wal, long after, int count)
    {
        using var cancel = new CancellationTokenSource(Patience);
        var records = new List<(WalRecord, string)>();
        if (count == 0)
        {
            return records;
        }

        await foreach (var record in wal.ReadAsync(after, cancel.Token))
        {
            records.Add((record, Encoding.UTF8.GetString(record.Payload.Span)));
            if (records.Count == count)
            {
                break;
            }
        }

        return records;
    }

    /// <summary>Every record now in the log after <paramref name="after"/>: reads until the last sequence.</summary>
    public static async Task<List<(WalRecord Record, string Payload)>> AllAsync(IWriteAheadLog wal, long after = 0)
    {
        var records = new List<(WalRecord, string)>();
        if (wal.LastSequence <= after)
        {
            return records;
        }

        using var cancel = new CancellationTokenSource(Patience);
        await foreach (var record in wal.ReadAsync(after, cancel.Token))
        {
            records.Add((record, Encoding.UTF8.GetString(record.Payload.Span)));
            if (record.Sequence >= wal.LastSequence)
            {
                break;
            }
        }

        return records;
    }
}
