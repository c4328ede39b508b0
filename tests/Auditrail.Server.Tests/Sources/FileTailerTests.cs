using System.IO.Compression;
using System.Text;
using Auditrail.Server.Sources;

namespace Auditrail.Server.Tests.Sources;

/// <summary>Tailing real files in a temporary directory into an in-memory write-ahead log.</summary>
public sealed class FileTailerTests : IAsyncLifetime
{
    private readonly TailHarness _tail = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _tail.DisposeAsync();

    private string AuditLog => _tail.PathOf("audit.log");

    [Fact]
    public async Task Lines_written_over_time_reach_the_log_in_order_stamped_with_the_cluster()
    {
        TailHarness.AppendEvents(AuditLog, "1", "2");
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(2);

        TailHarness.AppendEvents(AuditLog, "3");
        await _tail.WaitForEventsAsync(3);
        TailHarness.AppendEvents(AuditLog, "4", "5");
        await _tail.WaitForEventsAsync(5);
        await _tail.WaitForTwoPollsAsync(); // The counters move just after the append returns.

        Assert.Equal(["1", "2", "3", "4", "5"], _tail.AuditIds);
        Assert.All(_tail.Wal.Lines, line =>
            Assert.Equal("prod", TailHarness.Parse(line).GetProperty("annotations").GetProperty("auditrail.io/cluster").GetString()));
        Assert.All(_tail.Wal.Records, record => Assert.Equal(AuditLog, record.Source));
        Assert.Equal(5, _tail.Counters.EventsAppended);
        Assert.Equal(5, _tail.Counters.LinesRead);
    }

    [Fact]
    public async Task A_partial_last_line_waits_for_its_newline()
    {
        var partial = TailHarness.Event("2")[..40];
        File.WriteAllText(AuditLog, TailHarness.Event("1") + "\n" + partial, TailHarness.Utf8WithoutBom);
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(1);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1"], _tail.AuditIds);
        Assert.Equal(0, _tail.Counters.NotJsonLines);
        Assert.Equal(partial.Length, Assert.Single(_tail.Counters.Lag).Bytes);

        File.AppendAllText(AuditLog, TailHarness.Event("2")[40..] + "\n", TailHarness.Utf8WithoutBom);
        await _tail.WaitForEventsAsync(2);
        Assert.Equal(["1", "2"], _tail.AuditIds);
    }

    [Fact]
    public async Task Rename_rotation_drains_the_old_file_even_lines_written_after_the_rename_then_reads_the_new_one()
    {
        var rotated = _tail.PathOf("audit-2026-12-02T10-00-00.000.log");
        await using (var writer = new FileStream(AuditLog, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            await WriteLineAsync(writer, TailHarness.Event("1"));
            _tail.Start(_tail.Options(AuditLog));
            await _tail.WaitForEventsAsync(1);

            File.Move(AuditLog, rotated);
            await WriteLineAsync(writer, TailHarness.Event("2"));
        }

        TailHarness.AppendEvents(AuditLog, "3", "4");
        await _tail.WaitForEventsAsync(4);
        await _tail.WaitUntilAsync(() => _tail.Counters.Lag.Count == 1, "the rotated file to be let go");
        TailHarness.AppendEvents(AuditLog, "5");
        await _tail.WaitForEventsAsync(5);

        Assert.Equal(["1", "2", "3", "4", "5"], _tail.AuditIds);
        Assert.Equal(1, _tail.Counters.Rotations);
        Assert.Equal(AuditLog, _tail.Counters.Lag[0].Path);
    }

    [Fact]
    public async Task With_a_glob_a_rotated_file_is_recognized_and_never_read_twice()
    {
        TailHarness.AppendEvents(AuditLog, "1", "2");
        _tail.Start(_tail.Options(_tail.PathOf("*.log")));
        await _tail.WaitForEventsAsync(2);

        File.Move(AuditLog, _tail.PathOf("audit-2026-12-02T10-00-00.000.log"));
        TailHarness.AppendEvents(AuditLog, "3");
        await _tail.WaitForEventsAsync(3);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1", "2", "3"], _tail.AuditIds);
        Assert.Equal(1, _tail.Counters.Rotations);
        Assert.Equal(2, _tail.Counters.Lag.Count);
    }

    [Fact]
    public async Task Compressed_rotated_files_matched_by_a_glob_are_skipped()
    {
        File.WriteAllBytes(_tail.PathOf("audit-2026-12-01T10-00-00.000.log.gz"), [0x1f, 0x8b, 0, 0]);
        TailHarness.AppendEvents(AuditLog, "1");
        _tail.Start(_tail.Options(_tail.PathOf("audit*")));
        await _tail.WaitForEventsAsync(1);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1"], _tail.AuditIds);
        Assert.Equal(0, _tail.Counters.NotJsonLines);
        Assert.Single(_tail.Logs.Lines, l => l.Contains("is compressed and not read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compressed_files_set_to_read_once_are_read_to_their_end_once_also_across_restarts()
    {
        Compress(_tail.PathOf("audit-2026-12-01T10-00-00.000.log.gz"), "1", "2");
        TailHarness.AppendEvents(AuditLog, "3");
        var options = _tail.Options(_tail.PathOf("audit*")) with { CompressedFiles = CompressedFileMode.ReadOnce };
        _tail.Start(options);
        await _tail.WaitForEventsAsync(3);
        await _tail.StopAsync();

        _tail.Start(options);
        TailHarness.AppendEvents(AuditLog, "4");
        await _tail.WaitForEventsAsync(4);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1", "2", "3", "4"], _tail.AuditIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_compressed_copy_of_a_tailed_file_is_recognized_and_only_its_unread_rest_is_taken()
    {
        var rotated = _tail.PathOf("audit-2026-12-02T10-00-00.000.log");
        TailHarness.AppendEvents(AuditLog, "1", "2");
        _tail.Start(_tail.Options(_tail.PathOf("audit*")) with { CompressedFiles = CompressedFileMode.ReadOnce, ReleaseUnmatchedAfter = TimeSpan.FromMilliseconds(100) });
        await _tail.WaitForEventsAsync(2);

        // What lumberjack does with compression on: rename, new file, compress the old one, delete it.
        File.Move(AuditLog, rotated);
        TailHarness.AppendEvents(AuditLog, "3");
        await _tail.WaitForEventsAsync(3);
        Compress(rotated + ".gz", "1", "2");
        File.Delete(rotated);
        await _tail.WaitUntilAsync(() => _tail.Counters.Lag.Count == 1, "the rotated file to be let go");
        await _tail.WaitUntilAsync(() => _tail.Logs.Lines.Any(l => l.Contains("compressed, read to its end", StringComparison.Ordinal)), "the compressed copy to be looked at");

        Assert.Equal(["1", "2", "3"], _tail.AuditIds);
    }

    [Fact]
    public async Task A_truncated_file_is_read_again_from_its_start_and_the_truncation_counted()
    {
        TailHarness.AppendEvents(AuditLog, "1", "2", "3");
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(3);

        // copytruncate: the same file emptied in place, then written again.
        await using (var truncate = new FileStream(AuditLog, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            truncate.SetLength(0);
        }

        await _tail.WaitUntilAsync(() => _tail.Counters.Truncations == 1, "the truncation to be noticed");
        TailHarness.AppendEvents(AuditLog, "4");
        await _tail.WaitForEventsAsync(4);

        Assert.Equal(["1", "2", "3", "4"], _tail.AuditIds);
        Assert.Contains(_tail.Logs.Lines, l => l.Contains("was truncated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_copytruncate_the_copy_matched_by_a_glob_yields_only_the_lines_not_read_before_the_truncation()
    {
        var tailer = new FileTailer(_tail.Wal, _tail.Options(_tail.PathOf("audit.log*")), TimeProvider.System, _tail.Logs.CreateLogger("tail"), _tail.Counters);
        TailHarness.AppendEvents(AuditLog, "1");
        await tailer.PollOnceAsync(CancellationToken.None);

        // logrotate's copytruncate, with a line written after the last poll: copy, then empty in place.
        TailHarness.AppendEvents(AuditLog, "2");
        File.Copy(AuditLog, _tail.PathOf("audit.log.1"));
        await using (var truncate = new FileStream(AuditLog, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            truncate.SetLength(0);
        }

        TailHarness.AppendEvents(AuditLog, "3");
        await tailer.PollOnceAsync(CancellationToken.None);
        await tailer.PollOnceAsync(CancellationToken.None);

        Assert.Equal(["2", "3"], _tail.AuditIds.Skip(1).Order(StringComparer.Ordinal));
        Assert.Equal(3, _tail.AuditIds.Count);
        Assert.Equal(1, _tail.Counters.Truncations);
    }

    [Fact]
    public async Task A_file_rewritten_past_its_old_size_between_polls_is_still_seen_as_truncated()
    {
        // Polled by hand, so the rewrite certainly happens between two polls.
        var tailer = new FileTailer(_tail.Wal, _tail.Options(AuditLog), TimeProvider.System, _tail.Logs.CreateLogger("tail"), _tail.Counters);
        TailHarness.AppendEvents(AuditLog, "1");
        await tailer.PollOnceAsync(CancellationToken.None);

        // Truncated and refilled past the old length: the length alone cannot tell, the first line can.
        File.WriteAllText(AuditLog, TailHarness.Event("2") + "\n" + TailHarness.Event("3") + "\n", TailHarness.Utf8WithoutBom);
        await tailer.PollOnceAsync(CancellationToken.None);

        Assert.Equal(["1", "2", "3"], _tail.AuditIds);
        Assert.Equal(1, _tail.Counters.Truncations);
        Assert.Equal(0, _tail.Counters.Rotations);
    }

    [Fact]
    public async Task A_restart_resumes_at_the_checkpoint_with_no_loss_and_no_duplicates()
    {
        TailHarness.AppendEvents(AuditLog, "1", "2", "3");
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(3);
        await _tail.StopAsync();
        Assert.True(File.Exists(_tail.CheckpointFile));

        TailHarness.AppendEvents(AuditLog, "4", "5");
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(5);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1", "2", "3", "4", "5"], _tail.AuditIds);
        Assert.Equal(2, _tail.Counters.LinesRead);
    }

    [Fact]
    public async Task A_file_rotated_while_stopped_is_found_by_identity_and_drained_before_its_successor()
    {
        TailHarness.AppendEvents(AuditLog, "1", "2");
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(2);
        await _tail.StopAsync();

        TailHarness.AppendEvents(AuditLog, "3");
        File.Move(AuditLog, _tail.PathOf("audit-2026-12-02T10-00-00.000.log"));
        TailHarness.AppendEvents(AuditLog, "4");
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(4);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1", "2", "3", "4"], _tail.AuditIds);
        Assert.Equal(1, _tail.Counters.Rotations);
    }

    [Fact]
    public async Task Lines_that_are_not_json_objects_are_counted_logged_with_file_and_line_and_skipped()
    {
        TailHarness.Append(AuditLog, TailHarness.Event("1"), "not json", "[1,2]", "", "{\"kind\":\"Event\"} trailing", "   ", TailHarness.Event("2"));
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(2);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1", "2"], _tail.AuditIds);
        Assert.Equal(3, _tail.Counters.NotJsonLines);
        Assert.Equal(7, _tail.Counters.LinesRead);
        foreach (var line in new[] { 2, 3, 5 })
        {
            Assert.Contains(_tail.Logs.Lines, l => l.Contains($"{AuditLog}:{line}: skipped, not an audit event", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_line_over_the_limit_is_skipped_without_being_buffered_and_the_next_line_is_read()
    {
        var huge = $$"""{"kind":"Event","auditID":"huge","padding":"{{new string('x', 20_000)}}"}""";
        TailHarness.Append(AuditLog, TailHarness.Event("1"), huge, TailHarness.Event("2"));
        _tail.Start(_tail.Options(AuditLog) with { MaxLineBytes = 1024 });
        await _tail.WaitForEventsAsync(2);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1", "2"], _tail.AuditIds);
        Assert.Equal(1, _tail.Counters.TooLongLines);
        Assert.Contains(_tail.Logs.Lines, l => l.Contains($"{AuditLog}:2: skipped, the line is longer than the 1024-byte limit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_write_ahead_log_holds_the_events_until_it_has_room_again()
    {
        _tail.Wal.Full = true;
        TailHarness.AppendEvents(AuditLog, "1", "2", "3");
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitUntilAsync(() => _tail.Wal.RefusedAppends >= 3, "appends refused while full");
        Assert.Empty(_tail.Wal.Lines);

        _tail.Wal.Full = false;
        await _tail.WaitForEventsAsync(3);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["1", "2", "3"], _tail.AuditIds);
        Assert.True(_tail.Counters.AppendRetries >= 3);
        Assert.Single(_tail.Logs.Lines, l => l.Contains("the write-ahead queue is full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Appends_hold_at_most_the_batch_limits()
    {
        TailHarness.AppendEvents(AuditLog, [.. Enumerable.Range(1, 25).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        _tail.Start(_tail.Options(AuditLog) with { MaxBatchEvents = 10, MaxBatchBytes = 1024, MaxLineBytes = 512 });
        await _tail.WaitForEventsAsync(25);

        Assert.Equal(25, _tail.Wal.Records.Sum(r => r.Events));
        Assert.All(_tail.Wal.Records, r =>
        {
            Assert.InRange(r.Events, 1, 10);
            Assert.True(r.Payload.Length <= 1024, $"a batch of {r.Payload.Length} bytes");
            Assert.Equal(r.Events, Encoding.UTF8.GetString(r.Payload.Span).Count(c => c == '\n'));
        });
    }

    [Fact]
    public async Task A_byte_order_mark_at_the_start_of_a_file_is_ignored()
    {
        File.WriteAllText(AuditLog, TailHarness.Event("1") + "\n", Encoding.UTF8);
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(1);

        Assert.Equal(["1"], _tail.AuditIds);
    }

    [Fact]
    public async Task Without_a_cluster_events_are_kept_as_written()
    {
        var line = """{"kind":"Event","auditID":"1","annotations":{"auditrail.io/cluster":"from-sender"}}""";
        TailHarness.Append(AuditLog, line + "\r");
        _tail.Start(_tail.Options(AuditLog) with { Cluster = null });
        await _tail.WaitForEventsAsync(1);

        Assert.Equal([line], _tail.Wal.Lines);
    }

    [Fact]
    public async Task A_file_deleted_while_tailed_is_read_to_its_end_then_let_go()
    {
        await using var writer = new FileStream(AuditLog, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        await WriteLineAsync(writer, TailHarness.Event("1"));
        // Long enough that the line written after the delete is certainly read before the file is let go, even on a loaded machine.
        _tail.Start(_tail.Options(AuditLog) with { ReleaseUnmatchedAfter = TimeSpan.FromSeconds(3) });
        await _tail.WaitForEventsAsync(1);

        File.Delete(AuditLog);
        await WriteLineAsync(writer, TailHarness.Event("2"));
        await _tail.WaitForEventsAsync(2);
        await _tail.WaitUntilAsync(() => _tail.Counters.Lag.Count == 0, "the deleted file to be let go");

        Assert.Equal(["1", "2"], _tail.AuditIds);
    }

    [Fact]
    public async Task Start_at_end_skips_what_a_file_held_at_start_but_reads_what_comes_after()
    {
        TailHarness.AppendEvents(AuditLog, "old-1", "old-2");
        _tail.Start(_tail.Options(AuditLog) with { StartAtEnd = true });
        await _tail.WaitUntilAsync(() => _tail.Counters.Lag.Count == 1, "the file to be tracked");

        TailHarness.Append(AuditLog, TailHarness.Event("new"), "garbage");
        await _tail.WaitForEventsAsync(1);
        await _tail.WaitForTwoPollsAsync();

        Assert.Equal(["new"], _tail.AuditIds);
        // Line numbers count the skipped lines too, so diagnostics point at the right place.
        Assert.Contains(_tail.Logs.Lines, l => l.Contains($"{AuditLog}:4: skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreadable_checkpoint_is_reported_and_tailing_starts_over()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_tail.CheckpointFile)!);
        File.WriteAllText(_tail.CheckpointFile, "{ not a checkpoint", TailHarness.Utf8WithoutBom);
        TailHarness.AppendEvents(AuditLog, "1");
        _tail.Start(_tail.Options(AuditLog));
        await _tail.WaitForEventsAsync(1);

        Assert.Contains(_tail.Logs.Lines, l => l.Contains("cannot be read", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_that_cannot_work_are_refused()
    {
        var good = _tail.Options(AuditLog);
        Assert.Throws<ArgumentException>(() => (good with { Paths = [] }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (good with { MaxBatchEvents = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (good with { MaxLineBytes = 2048, MaxBatchBytes = 1024 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (good with { PollInterval = TimeSpan.Zero }).Validate());
        Assert.Throws<ArgumentException>(() => (good with { Cluster = " " }).Validate());
        Assert.Throws<ArgumentException>(() => (good with { Paths = ["/var/log/*/audit.log"] }).Validate());
    }

    private static void Compress(string path, params string[] auditIds)
    {
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gzip.Write(TailHarness.Utf8WithoutBom.GetBytes(string.Concat(auditIds.Select(id => TailHarness.Event(id) + "\n"))));
    }

    private static async Task WriteLineAsync(FileStream writer, string line)
    {
        await writer.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        await writer.FlushAsync();
    }
}
