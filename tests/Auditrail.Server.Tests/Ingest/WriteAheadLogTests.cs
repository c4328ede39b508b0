using Auditrail.Server.Ingest;
using static Auditrail.Server.Tests.Ingest.WalReading;

namespace Auditrail.Server.Tests.Ingest;

public sealed class WriteAheadLogTests : IDisposable
{
    private readonly WalDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Appended_batches_are_read_back_in_order_with_their_source_count_and_time()
    {
        await using var wal = _directory.Open();
        Assert.Equal(1, await wal.AppendAsync("webhook:prod", 2, Bytes("{\"a\":1}\n{\"a\":2}\n")));
        Assert.Equal(2, await wal.AppendAsync("/var/log/audit.log", 1, Bytes("{\"b\":1}\n")));
        Assert.Equal(3, await wal.AppendAsync("webhook:prod", 0, ReadOnlyMemory<byte>.Empty));

        var records = await TakeAsync(wal, 0, 3);

        Assert.Equal([1L, 2L, 3L], records.Select(r => r.Record.Sequence));
        Assert.Equal(["webhook:prod", "/var/log/audit.log", "webhook:prod"], records.Select(r => r.Record.Source));
        Assert.Equal([2, 1, 0], records.Select(r => r.Record.Events));
        Assert.Equal(["{\"a\":1}\n{\"a\":2}\n", "{\"b\":1}\n", ""], records.Select(r => r.Payload));
        Assert.All(records, r => Assert.Equal(FixedTime.Now, r.Record.Appended));
        Assert.Equal(3, wal.LastSequence);
        Assert.True(wal.Fsyncs >= 1);
    }

    [Fact]
    public async Task Reading_after_a_sequence_starts_after_it()
    {
        await using var wal = _directory.Open();
        for (var i = 1; i <= 5; i++)
        {
            await wal.AppendAsync("s", 1, Bytes($"{i}\n"));
        }

        Assert.Equal(["4\n", "5\n"], (await TakeAsync(wal, 3, 2)).Select(r => r.Payload));
    }

    [Fact]
    public async Task Records_survive_reopening_and_sequences_continue_after_them()
    {
        await using (var first = _directory.Open())
        {
            await first.AppendAsync("s", 1, Bytes("one\n"));
            await first.AppendAsync("s", 1, Bytes("two\n"));
        }

        await using var reopened = _directory.Open();
        Assert.Equal(2, reopened.LastSequence);
        Assert.Equal(2, reopened.Recovery.Records);
        Assert.Empty(reopened.Recovery.Problems);
        Assert.Equal(3, await reopened.AppendAsync("s", 1, Bytes("three\n")));
        Assert.Equal(["one\n", "two\n", "three\n"], (await AllAsync(reopened)).Select(r => r.Payload));
    }

    [Fact]
    public async Task Appends_waiting_together_share_one_fsync_and_each_gets_its_own_sequence()
    {
        await using var wal = _directory.Open();
        await wal.AppendAsync("warm-up", 1, Bytes("x\n"));
        var fsyncsBefore = wal.Fsyncs;

        wal.PauseWriter();
        var appends = Enumerable.Range(0, 100).Select(i => wal.AppendAsync($"client-{i}", 1, Bytes($"{i}\n")).AsTask()).ToArray();
        Assert.DoesNotContain(appends, a => a.IsCompleted);
        wal.ResumeWriter();
        var sequences = await Task.WhenAll(appends);

        Assert.Equal(Enumerable.Range(2, 100).Select(i => (long)i), sequences.Order());
        Assert.Equal(1, wal.Fsyncs - fsyncsBefore);
        var records = await AllAsync(wal, 1);
        Assert.All(records, r => Assert.Equal($"client-{r.Payload.TrimEnd('\n')}", r.Record.Source));
    }

    [Fact]
    public async Task Concurrent_appenders_all_complete_with_distinct_sequences_in_file_order()
    {
        await using var wal = _directory.Open(segmentBytes: 64 * 1024);
        var tasks = Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < 50; i++)
            {
                mine.Add(await wal.AppendAsync($"w{writer}", 1, Bytes(new string('x', 500) + "\n")));
            }

            return mine;
        })).ToArray();
        var sequences = (await Task.WhenAll(tasks)).SelectMany(s => s).Order().ToList();

        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), sequences);
        Assert.True(wal.Fsyncs <= 400);
        Assert.True(wal.SegmentCount > 1);
        Assert.Equal(sequences, (await AllAsync(wal)).Select(r => r.Record.Sequence));
    }

    [Fact]
    public async Task A_reader_at_the_end_waits_for_the_next_append()
    {
        await using var wal = _directory.Open();
        await wal.AppendAsync("s", 1, Bytes("before\n"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var reader = wal.ReadAsync(1, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = reader.MoveNextAsync().AsTask();
        Assert.False(next.IsCompleted);

        await wal.AppendAsync("s", 1, Bytes("after\n"));

        Assert.True(await next);
        Assert.Equal(2, reader.Current.Sequence);
        Assert.Equal("after\n", System.Text.Encoding.UTF8.GetString(reader.Current.Payload.Span));
    }

    [Fact]
    public async Task A_waiting_reader_ends_when_the_log_is_disposed_and_stops_when_cancelled()
    {
        var wal = _directory.Open();
        using var cancel = new CancellationTokenSource();
        var cancelled = Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in wal.ReadAsync(0, cancel.Token))
            {
            }
        });
        var ended = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var unused in wal.ReadAsync(0))
            {
                count++;
            }

            return count;
        });

        await cancel.CancelAsync();
        await cancelled;
        await wal.DisposeAsync();
        Assert.Equal(0, await ended.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_record_cut_short_by_a_crash_is_removed_on_open_and_appends_continue()
    {
        await using (var wal = _directory.Open())
        {
            await wal.AppendAsync("s", 1, Bytes("kept-1\n"));
            await wal.AppendAsync("s", 1, Bytes("kept-2\n"));
            await wal.AppendAsync("s", 1, Bytes("torn-record-payload\n"));
        }

        var segment = _directory.Segments().Single();
        var fullLength = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(fullLength - 7);
        }

        await using (var reopened = _directory.Open())
        {
            Assert.Equal(2, reopened.LastSequence);
            Assert.Single(reopened.Recovery.Problems);
            Assert.Equal(fullLength - 7 - new FileInfo(segment).Length, reopened.Recovery.TruncatedBytes);
            Assert.Equal(3, await reopened.AppendAsync("s", 1, Bytes("after-repair\n")));
        }

        await using var again = _directory.Open();
        Assert.Empty(again.Recovery.Problems);
        Assert.Equal(["kept-1\n", "kept-2\n", "after-repair\n"], (await AllAsync(again)).Select(r => r.Payload));
    }

    [Theory]
    [InlineData(-3)] // in the last record's payload
    [InlineData(-25)] // in its header's sequence field
    public async Task A_flipped_byte_in_the_last_record_fails_its_checksum_and_only_that_record_is_dropped(int fromEnd)
    {
        await using (var wal = _directory.Open())
        {
            await wal.AppendAsync("s", 1, Bytes("good\n"));
            await wal.AppendAsync("s", 1, Bytes("damaged-payload-here\n"));
        }

        var segment = _directory.Segments().Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[^-fromEnd] ^= 0x40;
        File.WriteAllBytes(segment, bytes);

        await using var reopened = _directory.Open();
        Assert.Equal(1, reopened.LastSequence);
        Assert.Contains("checksum", Assert.Single(reopened.Recovery.Problems), StringComparison.Ordinal);
        Assert.Equal(["good\n"], (await AllAsync(reopened)).Select(r => r.Payload));
    }

    [Fact]
    public async Task Zeros_after_the_last_record_are_cut_off()
    {
        await using (var wal = _directory.Open())
        {
            await wal.AppendAsync("s", 1, Bytes("good\n"));
        }

        var segment = _directory.Segments().Single();
        var length = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Append))
        {
            file.Write(new byte[100]);
        }

        await using var reopened = _directory.Open();
        Assert.Equal(100, reopened.Recovery.TruncatedBytes);
        Assert.Equal(length, new FileInfo(segment).Length);
        Assert.Equal(2, await reopened.AppendAsync("s", 1, Bytes("next\n")));
    }

    [Fact]
    public async Task Damage_inside_an_older_segment_loses_only_that_segments_rest()
    {
        await using (var wal = _directory.Open(segmentBytes: 1024))
        {
            for (var i = 1; i <= 6; i++)
            {
                await wal.AppendAsync("s", 1, Bytes($"{i}:" + new string('x', 600) + "\n"));
            }
        }

        var segments = _directory.Segments();
        Assert.True(segments.Length >= 3);
        var bytes = File.ReadAllBytes(segments[0]);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(segments[0], bytes);

        await using var reopened = _directory.Open(segmentBytes: 1024);
        // Two records per segment: the second record of the first segment is lost, everything after it is kept.
        var payloads = (await AllAsync(reopened)).Select(r => r.Payload[..r.Payload.IndexOf(':', StringComparison.Ordinal)]);
        Assert.Equal(["1", "3", "4", "5", "6"], payloads);
        Assert.Contains("checksum", Assert.Single(reopened.Recovery.Problems), StringComparison.Ordinal);
        Assert.Equal(6, reopened.LastSequence);
    }

    [Fact]
    public async Task A_full_log_refuses_appends_until_the_pipeline_releases()
    {
        await using var wal = _directory.Open(capacityBytes: 1000);
        var payload = Bytes(new string('x', 400));
        Assert.Equal(1, await wal.AppendAsync("s", 1, payload));
        Assert.Equal(2, await wal.AppendAsync("s", 1, payload));
        var full = await Assert.ThrowsAsync<WriteAheadLogFullException>(() => wal.AppendAsync("s", 1, payload).AsTask());
        Assert.Equal(1000, full.CapacityBytes);
        Assert.Equal(wal.PendingBytes, full.PendingBytes);
        Assert.Equal(2, wal.LastSequence);

        wal.Release(1);

        Assert.Equal(3, await wal.AppendAsync("s", 1, payload));
        Assert.Equal(2 * (400 + 30 + 1), wal.PendingBytes);
    }

    [Fact]
    public async Task Release_deletes_finished_segments_and_is_remembered_after_reopening()
    {
        long pendingBeforeClose;
        await using (var wal = _directory.Open(segmentBytes: 1024))
        {
            for (var i = 1; i <= 10; i++)
            {
                await wal.AppendAsync("s", 1, Bytes($"{i}:" + new string('x', 600) + "\n"));
            }

            var before = _directory.Segments().Length;
            await wal.ReleaseAsync(7);
            Assert.Equal(7, wal.ReleasedSequence);
            Assert.True(_directory.Segments().Length < before);
            pendingBeforeClose = wal.PendingBytes;
            Assert.Equal((2 * (30 + 1 + 603)) + (30 + 1 + 604), pendingBeforeClose);
        }

        await using var reopened = _directory.Open(segmentBytes: 1024);
        Assert.Equal(7, reopened.ReleasedSequence);
        Assert.Equal(pendingBeforeClose, reopened.PendingBytes);
        Assert.Equal([8L, 9L, 10L], (await AllAsync(reopened, 7)).Select(r => r.Record.Sequence));

        // With everything released and deleted, sequences still continue instead of starting over.
        await reopened.ReleaseAsync(10);
        Assert.Equal(0, reopened.PendingBytes);
        await reopened.DisposeAsync();
        await using var emptied = _directory.Open(segmentBytes: 1024);
        Assert.Empty(_directory.Segments());
        Assert.Equal(11, await emptied.AppendAsync("s", 1, Bytes("next\n")));
    }

    [Fact]
    public async Task A_copy_taken_while_appends_run_holds_every_append_acknowledged_before_it()
    {
        // A crash is simulated by copying the files mid-stream: what a kill would leave on disk.
        var copy = new WalDirectory();
        try
        {
            await using var wal = _directory.Open(segmentBytes: 256 * 1024);
            var acknowledged = new System.Collections.Concurrent.ConcurrentBag<long>();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    acknowledged.Add(await wal.AppendAsync($"w{w}", 1, Bytes($"{w}-{i++}:" + new string('y', 3000) + "\n")));
                }
            })).ToArray();

            while (wal.LastSequence < 200)
            {
                await Task.Delay(10);
            }

            var acknowledgedBeforeCopy = acknowledged.ToArray();
            foreach (var file in Directory.GetFiles(_directory.Path))
            {
                File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
            }

            await stop.CancelAsync();
            await Task.WhenAll(writers);

            await using var recovered = copy.Open(segmentBytes: 256 * 1024);
            var sequences = (await AllAsync(recovered)).Select(r => r.Record.Sequence).ToHashSet();
            Assert.Subset(sequences, acknowledgedBeforeCopy.ToHashSet());
            Assert.Equal(sequences.Count, (int)recovered.Recovery.Records);
        }
        finally
        {
            copy.Dispose();
        }
    }

    [Fact]
    public async Task A_pipeline_reading_and_releasing_while_appends_rotate_segments_sees_each_record_once_in_order()
    {
        await using var wal = _directory.Open(segmentBytes: 4096);
        const int Total = 300;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var consumer = Task.Run(async () =>
        {
            var seen = new List<long>();
            await foreach (var record in wal.ReadAsync(0, cancel.Token))
            {
                seen.Add(record.Sequence);
                wal.Release(record.Sequence);
                if (seen.Count == Total)
                {
                    break;
                }
            }

            return seen;
        });
        var producers = Enumerable.Range(0, 3).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < Total / 3; i++)
            {
                await wal.AppendAsync($"p{p}", 1, Bytes($"{p}-{i}:" + new string('z', 900) + "\n"));
            }
        }));
        await Task.WhenAll(producers);

        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), await consumer);
        await wal.ReleaseAsync(Total);
        Assert.Equal(0, wal.PendingBytes);
        Assert.Single(_directory.Segments());
    }

    [Fact]
    public async Task Appending_after_dispose_is_refused()
    {
        var wal = _directory.Open();
        await wal.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => wal.AppendAsync("s", 1, Bytes("x\n")).AsTask());
    }
}
