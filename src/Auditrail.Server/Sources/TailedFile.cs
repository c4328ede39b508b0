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

    public void Dispose() => Handle.Dispose();
}
