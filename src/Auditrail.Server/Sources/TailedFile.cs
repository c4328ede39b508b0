using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Auditrail.Server.Sources;

/// <summary>
/// One file being tailed, followed through its open handle rather than its name: after a rename or a
/// delete the handle still reads the same file, which is how a rotated file is drained to its end.
/// </summary>
internal sealed class TailedFile(SafeFileHandle handle, string path, FileIdentity? identity, long offset, long line) : IDisposable
{
    public SafeFileHandle Handle { get; } = handle;

    /// <summary>Where the file was last seen; the write-ahead log source and the <c>file</c> of <c>file:line</c>.</summary>
    public string Path { get; set; } = path;

    /// <summary>Null while a truncated file has no complete first line again.</summary>
    public FileIdentity? Identity { get; set; } = identity;

    /// <summary>Start of the next line not yet in the write-ahead log (nor skipped): what the checkpoint holds.</summary>
    public long Offset { get; set; } = offset;

    /// <summary>Lines before <see cref="Offset"/>.</summary>
    public long Line { get; set; } = line;

    /// <summary>Some path of the configured globs leads to this file in the current poll.</summary>
    public bool Matched { get; set; } = true;

    /// <summary>Since when no path leads here (deleted, or renamed out of the globs).</summary>
    public DateTimeOffset? UnmatchedSince { get; set; }

    /// <summary>Another file took this file's name: once drained to its end, it is done.</summary>
    public bool Replaced { get; set; }

    /// <summary>The last read reached the end of the file.</summary>
    public bool AtEnd { get; set; }

    /// <summary>The file's length at the last read, for the lag gauge.</summary>
    public long Length { get; set; }

    public TailPosition? Position => Identity is { } identity ? new TailPosition(identity.Hex, Path, Offset, Line) : null;

    /// <summary>A gzip file, read through a decompressing stream (forward only) instead of by offset.</summary>
    public bool Compressed { get; init; }

    private FileStream? _raw;
    private GZipStream? _gzip;
    private long _decompressedPosition;

    /// <summary>
    /// Reads at <paramref name="position"/>: by offset for a plain file; for a gzip file by decompressing
    /// forward, starting over from the beginning when asked for an earlier position.
    /// </summary>
    public int Read(Span<byte> destination, long position)
    {
        if (!Compressed)
        {
            return RandomAccess.Read(Handle, destination, position);
        }

        if (_gzip is null || position < _decompressedPosition)
        {
            _gzip?.Dispose();
            _raw ??= new FileStream(Handle, FileAccess.Read);
            _raw.Seek(0, SeekOrigin.Begin);
            _gzip = new GZipStream(_raw, CompressionMode.Decompress, leaveOpen: true);
            _decompressedPosition = 0;
        }

        while (_decompressedPosition < position)
        {
            var skipped = _gzip.Read(destination[..(int)Math.Min(destination.Length, position - _decompressedPosition)]);
            if (skipped == 0)
            {
                return 0;
            }

            _decompressedPosition += skipped;
        }

        var read = _gzip.Read(destination);
        _decompressedPosition += read;
        return read;
    }

    /// <summary>The file's length; for a gzip file, how far it has been decompressed.</summary>
    public long CurrentLength() => Compressed ? _decompressedPosition : RandomAccess.GetLength(Handle);

    public void Dispose()
    {
        _gzip?.Dispose();
        _raw?.Dispose();
        Handle.Dispose();
    }
}
