using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Auditrail.Server.Ingest;

public sealed partial class WriteAheadLog
{
    /// <inheritdoc/>
    /// <remarks>
    /// Reads from the files, so it works the same after a restart; only flushed records are visible.
    /// At the end it waits for the writer's signal rather than polling. Ends when the log is disposed.
    /// When records up to <paramref name="afterSequence"/> + 1 were already deleted, it starts at the oldest kept.
    /// </remarks>
    public async IAsyncEnumerable<WalRecord> ReadAsync(long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var position = afterSequence;
        SafeFileHandle? handle = null;
        long segmentFirst = -1;
        long offset = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        byte[]? lastSource = null;
        var lastSourceText = string.Empty;
        try
        {
            while (true)
            {
                // The signal is taken before the disposed check: a dispose that lands in between has
                // completed this signal (it swaps and completes it after setting the flag), so the wait
                // below can never be on a signal nobody will complete.
                var signal = Volatile.Read(ref _appended);
                if (_disposed)
                {
                    break;
                }

                var segments = Volatile.Read(ref _view).Segments;
                var index = IndexOf(segments, segmentFirst);
                if (index < 0)
                {
                    // First call, or our segment was deleted: start at the segment holding the next sequence.
                    handle?.Dispose();
                    handle = null;
                    index = SegmentFor(segments, position + 1);
                    if (index < 0)
                    {
                        await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    handle = OpenSegment(segments[index], out segmentFirst, out offset);
                    if (handle is null)
                    {
                        continue;
                    }
                }

                var segment = segments[index];
                if (offset >= segment.Length)
                {
                    if (index + 1 < segments.Length)
                    {
                        handle!.Dispose();
                        handle = OpenSegment(segments[index + 1], out segmentFirst, out offset);
                        continue;
                    }

                    await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var headerRead = RandomAccess.Read(handle!, buffer.AsSpan(0, WalFormat.HeaderBytes), offset);
                if (!WalFormat.TryReadHeader(buffer.AsSpan(0, headerRead), segment.Length - offset, out var header, out var problem))
                {
                    SkipDamaged(segment, offset, problem, ref offset);
                    continue;
                }

                if (header.Sequence <= position)
                {
                    offset += header.Length; // Before the start: skipped by its header alone.
                    continue;
                }

                if (header.Length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(header.Length);
                }

                var record = buffer.AsMemory(0, header.Length);
                if (RandomAccess.Read(handle!, record.Span, offset) != header.Length || !WalFormat.ChecksumMatches(record.Span, header.Checksum))
                {
                    SkipDamaged(segment, offset, $"record {header.Sequence.ToString(CultureInfo.InvariantCulture)} fails its checksum", ref offset);
                    continue;
                }

                // Most records come from a few sources: keep the last name instead of decoding it every time.
                var sourceBytes = record.Span.Slice(WalFormat.HeaderBytes, header.SourceBytes);
                if (lastSource is null || !sourceBytes.SequenceEqual(lastSource))
                {
                    lastSource = sourceBytes.ToArray();
                    lastSourceText = WalFormat.DecodeSource(record.Span, header);
                }

                offset += header.Length;
                position = header.Sequence;
                yield return new WalRecord(header.Sequence, lastSourceText, header.Events,
                    new DateTimeOffset(header.AppendedTicks, TimeSpan.Zero), record[header.PayloadOffset..]);
            }
        }
        finally
        {
            handle?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Opens a segment to read; null when housekeeping deleted it since the view was taken (the next view no longer lists it).</summary>
    private static SafeFileHandle? OpenSegment(SegmentInfo segment, out long first, out long offset)
    {
        offset = WalFormat.SegmentMagic.Length;
        try
        {
            var handle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            first = segment.FirstSequence;
            return handle;
        }
        catch (FileNotFoundException)
        {
            first = -1;
            return null;
        }
    }

    /// <summary>
    /// Flushed bytes that fail their check were damaged on disk after being written; the rest of that
    /// segment cannot be framed, so reading goes on with the next one rather than stopping the pipeline.
    /// </summary>
    private void SkipDamaged(SegmentInfo segment, long at, string? problem, ref long offset)
    {
        LogDamagedRead(_logger, segment.Path, at, problem ?? "unreadable record");
        offset = segment.Length;
    }

    private static int IndexOf(System.Collections.Immutable.ImmutableArray<SegmentInfo> segments, long first)
    {
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].FirstSequence == first)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The newest segment starting at or before <paramref name="sequence"/>, else the oldest one; -1 when there are none.</summary>
    private static int SegmentFor(System.Collections.Immutable.ImmutableArray<SegmentInfo> segments, long sequence)
    {
        if (segments.Length == 0)
        {
            return -1;
        }

        var found = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].FirstSequence <= sequence)
            {
                found = i;
            }
        }

        return found;
    }

    [LoggerMessage(EventId = 9106, Level = LogLevel.Error, Message = "Write-ahead log: {Path} is damaged at offset {Offset} ({Problem}); its remaining records are skipped")]
    private static partial void LogDamagedRead(ILogger logger, string path, long offset, string problem);
}
