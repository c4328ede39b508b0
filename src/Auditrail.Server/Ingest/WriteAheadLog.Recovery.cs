using System.Buffers;
using System.Globalization;
using Auditrail.Server.Durability;
using Microsoft.Extensions.Logging;

namespace Auditrail.Server.Ingest;

public sealed partial class WriteAheadLog
{
    /// <summary>
    /// Scans every segment in sequence order, keeps the valid records, cuts each segment at its first
    /// invalid record (logged), drops segments left empty or wholly released, and sets where sequences
    /// continue.
    /// </summary>
    private void Recover()
    {
        Directory.CreateDirectory(_options.Directory);
        File.Delete(_releasedPath + ".tmp");
        var released = ReadReleasedFile();
        var files = new List<(long First, string Path)>();
        foreach (var path in Directory.EnumerateFiles(_options.Directory, "*" + WalFormat.SegmentExtension))
        {
            if (WalFormat.TryParseSegmentFileName(Path.GetFileName(path), out var first))
            {
                files.Add((first, path));
            }
        }

        files.Sort((a, b) => a.First.CompareTo(b.First));
        var problems = new List<string>();
        var kept = new List<SegmentInfo>();
        long lastSequence = 0;
        long records = 0;
        long truncated = 0;
        var changedDirectory = false;
        for (var i = 0; i < files.Count; i++)
        {
            var isLast = i == files.Count - 1;
            var scan = ScanSegment(files[i].Path, lastSequence, released);
            if (scan.Problem is { } problem)
            {
                truncated += scan.FileLength - scan.ValidLength;
                var line = $"{files[i].Path}: offset {scan.ValidLength.ToString(CultureInfo.InvariantCulture)}: {problem}; cut {(scan.FileLength - scan.ValidLength).ToString(CultureInfo.InvariantCulture)} bytes";
                problems.Add(line);
                if (isLast)
                {
                    LogTornTail(_logger, line);
                }
                else
                {
                    // Not the newest segment: these bytes were flushed and possibly acknowledged, so this is damage, not a torn write.
                    LogDamagedSegment(_logger, line);
                }

                Truncate(files[i].Path, scan.ValidLength);
            }

            if (scan.Records == 0 || scan.LastSequence <= released)
            {
                File.Delete(files[i].Path);
                changedDirectory = true;
                lastSequence = Math.Max(lastSequence, scan.LastSequence);
                continue;
            }

            records += scan.Records;
            lastSequence = scan.LastSequence;
            kept.Add(new SegmentInfo(scan.FirstSequence, files[i].Path, scan.ValidLength, scan.LastSequence));
        }

        if (changedDirectory)
        {
            DurableFiles.SyncDirectory(_options.Directory);
        }

        _released = released;
        _lastSequence = Math.Max(lastSequence, released);
        _nextSequence = _lastSequence + 1;
        _persistedReleased = released;
        _view = new LogView([.. kept]);
        Recovery = new WriteAheadLogRecovery(kept.Count, records, truncated, problems);
    }

    private readonly record struct SegmentScan(long FileLength, long ValidLength, long Records, long FirstSequence, long LastSequence, string? Problem);

    /// <summary>
    /// Reads a segment record by record, checking each checksum and that sequences only go up, and
    /// counts the unreleased ones into the accounting. Stops at the first record that fails.
    /// </summary>
    private SegmentScan ScanSegment(string path, long previousSequence, long released)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var fileLength = RandomAccess.GetLength(handle);
        var magic = new byte[WalFormat.SegmentMagic.Length];
        if (fileLength < magic.Length || RandomAccess.Read(handle, magic, 0) != magic.Length || !magic.AsSpan().SequenceEqual(WalFormat.SegmentMagic))
        {
            return new SegmentScan(fileLength, 0, 0, 0, 0, fileLength == 0 ? null : "not a write-ahead log segment (bad or missing magic)");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long offset = magic.Length;
            long records = 0;
            long first = 0;
            var last = previousSequence;
            while (offset < fileLength)
            {
                var headerRead = RandomAccess.Read(handle, buffer.AsSpan(0, WalFormat.HeaderBytes), offset);
                if (!WalFormat.TryReadHeader(buffer.AsSpan(0, headerRead), fileLength - offset, out var header, out var problem))
                {
                    return new SegmentScan(fileLength, offset, records, first, last, problem);
                }

                if (header.Length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(header.Length);
                }

                var record = buffer.AsSpan(0, header.Length);
                if (RandomAccess.Read(handle, record, offset) != header.Length || !WalFormat.ChecksumMatches(record, header.Checksum))
                {
                    return new SegmentScan(fileLength, offset, records, first, last, $"record {header.Sequence.ToString(CultureInfo.InvariantCulture)} fails its checksum");
                }

                if (header.Sequence <= last)
                {
                    return new SegmentScan(fileLength, offset, records, first, last,
                        $"sequence {header.Sequence.ToString(CultureInfo.InvariantCulture)} does not follow {last.ToString(CultureInfo.InvariantCulture)}");
                }

                first = records == 0 ? header.Sequence : first;
                last = header.Sequence;
                records++;
                offset += header.Length;
                if (header.Sequence > released)
                {
                    _unreleased.Enqueue((header.Sequence, header.Length));
                    _unreleasedBytes += header.Length;
                }
            }

            return new SegmentScan(fileLength, offset, records, first, last, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Truncate(string path, long length)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.SetLength(handle, length);
        RandomAccess.FlushToDisk(handle);
    }

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Write-ahead log: cut a torn tail left by an unfinished write (never acknowledged): {Detail}")]
    private static partial void LogTornTail(ILogger logger, string detail);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Error, Message = "Write-ahead log: a closed segment is damaged; records after the damage are lost: {Detail}")]
    private static partial void LogDamagedSegment(ILogger logger, string detail);
}
