using System.Text;
using System.Threading.Channels;
using Auditrail.Server.Ingest;
using Auditrail.Server.Tests.Ingest;
using static Auditrail.Server.Tests.Ingest.WalReading;

namespace Auditrail.Server.Tests.Integration;

/// <summary>
/// The real write-ahead log used the way the pipeline uses it: one task enumerates while another
/// releases what a later stage has committed, and a restart reads on from the store's checkpoint, which
/// may be ahead of the log's persisted release and past segments already deleted.
/// </summary>
public sealed class WalReadAndReleaseTests : IDisposable
{
    private const int SegmentBytes = 1024;

    private readonly WalDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Releases_from_another_thread_behind_the_reader_delete_segments_it_has_passed_without_it_skipping_or_repeating_a_record()
    {
        await using var wal = _directory.Open(segmentBytes: SegmentBytes);
        const int Total = 200;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var read = Channel.CreateUnbounded<long>();

        // The store stage: releases what was read, a little behind, on its own thread.
        var releasing = Task.Run(async () =>
        {
            await foreach (var sequence in read.Reader.ReadAllAsync(cancel.Token))
            {
                wal.Release(sequence);
            }
        });
        var reading = Task.Run(async () =>
        {
            var seen = new List<(long Sequence, string Payload)>();
            await foreach (var record in wal.ReadAsync(0, cancel.Token))
            {
                seen.Add((record.Sequence, Encoding.UTF8.GetString(record.Payload.Span)));
                read.Writer.TryWrite(record.Sequence);
                if (seen.Count == Total)
                {
                    break;
                }
            }

            read.Writer.Complete();
            return seen;
        });

        for (var i = 1; i <= Total; i++)
        {
            await wal.AppendAsync("test", 1, Payload(i));
        }

        var seen = await reading;
        await releasing;
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), seen.Select(r => r.Sequence));
        Assert.All(seen, r => Assert.Equal(Encoding.UTF8.GetString(Payload((int)r.Sequence).Span), r.Payload));
        await wal.ReleaseAsync(Total);
        Assert.Equal(0, wal.PendingBytes);
        Assert.Single(_directory.Segments());
    }

    [Fact]
    public async Task After_a_restart_reading_from_a_checkpoint_ahead_of_the_persisted_release_gets_exactly_the_records_after_it()
    {
        await using (var wal = _directory.Open(segmentBytes: SegmentBytes))
        {
            for (var i = 1; i <= 30; i++)
            {
                await wal.AppendAsync("test", 1, Payload(i));
            }

            // Committed and released up to 12; the store got to 25 but the process died before releasing it.
            await wal.ReleaseAsync(12);
        }

        await using var reopened = _directory.Open(segmentBytes: SegmentBytes);
        Assert.Equal(12, reopened.ReleasedSequence);
        Assert.DoesNotContain(_directory.Segments(), path => Path.GetFileName(path) == WalFormat.SegmentFileName(1));

        // As the pipeline resumes: release up to the checkpoint, then read after it, while the release
        // deletes segments the reader may be opening.
        reopened.Release(25);
        var resumed = await TakeAsync(reopened, 25, 5);
        Assert.Equal([26L, 27L, 28L, 29L, 30L], resumed.Select(r => r.Record.Sequence));
        Assert.Equal(Encoding.UTF8.GetString(Payload(26).Span), resumed[0].Payload);

        // New appends continue the sequence and the same kind of reader picks them up.
        Assert.Equal(31, await reopened.AppendAsync("test", 1, Payload(31)));
        Assert.Equal([31L], (await TakeAsync(reopened, 30, 1)).Select(r => r.Record.Sequence));
        await reopened.ReleaseAsync(31);
        Assert.Equal(0, reopened.PendingBytes);
        Assert.Single(_directory.Segments());
    }

    /// <summary>About 300 bytes, so a segment holds about three records.</summary>
    private static ReadOnlyMemory<byte> Payload(int i) => Bytes($"{{\"n\":{i},\"pad\":\"{new string('x', 280)}\"}}\n");
}
