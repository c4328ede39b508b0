namespace Auditrail.Server.Sources;

/// <summary>Which files there are: globs, identities, rotation and files renamed while stopped.</summary>
internal sealed partial class FileTailer
{
    private void Discover(DateTimeOffset now)
    {
        var found = new List<(string Path, FileIdentity Identity)>();
        var paths = _options.Paths.SelectMany(Expand).Distinct(StringComparer.Ordinal).ToList();
        foreach (var path in paths.Where(p => !IsCompressed(p)))
        {
            if (FileIdentity.Of(path) is { } identity)
            {
                found.Add((path, identity));
            }
        }

        foreach (var file in _files)
        {
            file.Matched = false;
        }

        var fresh = new List<(string Path, FileIdentity Identity)>();
        foreach (var (path, identity) in found)
        {
            if (_files.Find(f => f.Identity == identity) is { } known)
            {
                if (!known.Matched && !string.Equals(known.Path, path, StringComparison.Ordinal))
                {
                    _counters.AddRotation();
                    LogRenamed(_logger, known.Path, path);
                    known.Path = path;
                    _checkpointDirty = true;
                }

                known.Matched = true;
            }
            else if (!fresh.Exists(f => f.Identity == identity))
            {
                fresh.Add((path, identity));
            }
        }

        DiscoverCompressed(paths.Where(IsCompressed));
        if (_firstPoll)
        {
            ResumeRenamedWhileStopped(fresh, now);
        }

        foreach (var (path, identity) in fresh)
        {
            Track(path, identity);
        }

        foreach (var file in _files)
        {
            file.UnmatchedSince = file.Matched ? null : file.UnmatchedSince ?? now;
        }

        _firstPoll = false;
    }

    /// <summary>
    /// Compressed files: skipped (reported once each), or with <see cref="CompressedFileMode.ReadOnce"/>
    /// read from where their content was left (a checkpoint, or the file they were compressed from) unless
    /// already read to the end.
    /// </summary>
    private void DiscoverCompressed(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (_options.CompressedFiles == CompressedFileMode.Skip)
            {
                if (_reportedCompressed.Add(path))
                {
                    LogCompressedSkipped(_logger, path);
                }

                continue;
            }

            if (_compressedDone.Contains(path) || _files.Exists(f => f.Compressed && string.Equals(f.Path, path, StringComparison.Ordinal)))
            {
                continue;
            }

            // Not yet a whole first line, or not gzip at all: nothing to read now.
            if (FileIdentity.OfCompressed(path) is not { } identity || _files.Exists(f => f.Identity == identity))
            {
                // The second case: the file it was compressed from is still open and read through its handle.
                continue;
            }

            _finished.TryGetValue(identity.Hex, out var finished);
            if (finished is { Complete: true })
            {
                _compressedDone.Add(path);
                continue;
            }

            var start = _unresolved.Remove(identity.Hex, out var saved) ? saved : finished;
            if (TryOpen(path) is { } handle)
            {
                _files.Add(new TailedFile(handle, path, identity, start?.Offset ?? 0, start?.Line ?? 0) { Compressed = true });
                LogTracking(_logger, path, start?.Offset ?? 0, start?.Line ?? 0);
                _checkpointDirty = true;
            }
        }
    }

    private void Track(string path, FileIdentity identity)
    {
        var handle = TryOpen(path);
        if (handle is null)
        {
            return;
        }

        if (FileIdentity.Of(handle) != identity)
        {
            // Replaced between the look and the open; the next poll sees the new one.
            handle.Dispose();
            return;
        }

        // A file let go of earlier (deleted and back, or the copy of one truncated) goes on where it ended.
        var (offset, line) = _unresolved.Remove(identity.Hex, out var saved) || _finished.Remove(identity.Hex, out saved)
            ? (saved.Offset, saved.Line)
            : _firstPoll && _options.StartAtEnd ? EndOfLastLine(handle) : (0L, 0L);

        if (_files.Find(f => !f.Matched && string.Equals(f.Path, path, StringComparison.Ordinal)) is { } previous)
        {
            previous.Replaced = true;
            _counters.AddRotation();
            LogRotated(_logger, path);
        }

        _files.Add(new TailedFile(handle, path, identity, offset, line));
        _checkpointDirty = true;
        LogTracking(_logger, path, offset, line);
    }

    /// <summary>
    /// A checkpointed file that no configured path leads to was probably rotated while the server was
    /// down: it is looked for by identity beside where it was, and its unread end is read before the
    /// file that took its name.
    /// </summary>
    private void ResumeRenamedWhileStopped(List<(string Path, FileIdentity Identity)> fresh, DateTimeOffset now)
    {
        foreach (var saved in _unresolved.Values.ToArray())
        {
            if (fresh.Exists(f => f.Identity.Hex == saved.Identity) || Path.GetDirectoryName(saved.Path) is not { Length: > 0 } directory || !Directory.Exists(directory))
            {
                continue;
            }

            foreach (var candidate in Directory.EnumerateFiles(directory).Where(p => !IsCompressed(p)).Order(StringComparer.Ordinal))
            {
                if (FileIdentity.Of(candidate) is not { } identity || identity.Hex != saved.Identity || TryOpen(candidate) is not { } handle)
                {
                    continue;
                }

                _counters.AddRotation();
                LogRenamed(_logger, saved.Path, candidate);
                _unresolved.Remove(saved.Identity);
                // First in the list, so its remaining lines go before those of the file that took its name.
                _files.Insert(0, new TailedFile(handle, candidate, identity, saved.Offset, saved.Line) { Matched = false, Replaced = true, UnmatchedSince = now });
                break;
            }
        }

        foreach (var gone in _unresolved.Values.Where(p => !fresh.Exists(f => f.Identity.Hex == p.Identity)).ToArray())
        {
            LogForgotten(_logger, gone.Path, gone.Line);
            _unresolved.Remove(gone.Identity);
            _checkpointDirty = true;
        }
    }

    private Microsoft.Win32.SafeHandles.SafeFileHandle? TryOpen(string path)
    {
        try
        {
            return FileIdentity.OpenShared(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogOpenFailed(_logger, path, ex.Message);
            return null;
        }
    }

    /// <summary>Start-at-end begins after the last complete line, counting lines on the way so diagnostics keep true line numbers.</summary>
    private (long Offset, long Line) EndOfLastLine(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        long position = 0, lines = 0, afterLastNewline = 0;
        int n;
        while ((n = RandomAccess.Read(handle, _buffer, position)) > 0)
        {
            var chunk = _buffer.AsSpan(0, n);
            lines += chunk.Count((byte)'\n');
            var last = chunk.LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                afterLastNewline = position + last + 1;
            }

            position += n;
        }

        return (afterLastNewline, lines);
    }

    private static IEnumerable<string> Expand(string pattern)
    {
        var full = Path.GetFullPath(pattern);
        var name = Path.GetFileName(full);
        if (name.AsSpan().IndexOfAny('*', '?') < 0)
        {
            return [full];
        }

        var directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, name, new EnumerationOptions { MatchType = MatchType.Simple, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseSensitive })
            .Order(StringComparer.Ordinal);
    }

    private static bool IsCompressed(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
}
