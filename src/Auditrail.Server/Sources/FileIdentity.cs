using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Auditrail.Server.Sources;

/// <summary>
/// Which file this is, independent of its name: SHA-256 of its first line (through the newline), or of
/// its first <see cref="MaxPrefixBytes"/> bytes when the first line is longer.
/// </summary>
/// <remarks>
/// .NET has no portable inode/device API, and P/Invoking <c>stat</c> would tie the server to one libc.
/// Content works instead, and survives what inodes do not (copies, container restarts with a new
/// mount). An audit event's first line holds its auditID and timestamps, so two different log files
/// never start the same way. A file without one complete line yet has no identity; that costs nothing,
/// because only complete lines are read. Truncation changes the identity, which is how a file rewritten
/// past its old size is still noticed.
/// </remarks>
internal readonly record struct FileIdentity(string Hex)
{
    /// <summary>Enough of any audit event to include its auditID; small enough to read at every poll.</summary>
    public const int MaxPrefixBytes = 1024;

    public override string ToString() => Hex;

    /// <summary>The identity of the open file, or null when it has no complete first line yet.</summary>
    public static FileIdentity? Of(SafeFileHandle handle)
    {
        Span<byte> prefix = stackalloc byte[MaxPrefixBytes];
        var read = 0;
        int n;
        while (read < prefix.Length && (n = RandomAccess.Read(handle, prefix[read..], read)) > 0)
        {
            read += n;
        }

        return FromPrefix(prefix[..read]);
    }

    /// <summary>The identity of a gzip file's content (the same as the file it was compressed from); null when empty or not gzip.</summary>
    public static FileIdentity? OfCompressed(string path)
    {
        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            var prefix = new byte[MaxPrefixBytes];
            var read = 0;
            int n;
            while (read < prefix.Length && (n = gzip.Read(prefix, read, prefix.Length - read)) > 0)
            {
                read += n;
            }

            return FromPrefix(prefix.AsSpan(0, read));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    private static FileIdentity? FromPrefix(ReadOnlySpan<byte> prefix)
    {
        var newline = prefix.IndexOf((byte)'\n');
        if (newline < 0 && prefix.Length < MaxPrefixBytes)
        {
            return null;
        }

        var length = newline < 0 ? prefix.Length : newline + 1;
        return new FileIdentity(Convert.ToHexStringLower(SHA256.HashData(prefix[..length]))[..32]);
    }

    /// <summary>The identity of the file at <paramref name="path"/>; null when missing, unreadable or without a first line.</summary>
    public static FileIdentity? Of(string path)
    {
        try
        {
            using var handle = OpenShared(path);
            return Of(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Opens for reading without getting in the writer's way: it may append, rename or delete meanwhile.</summary>
    public static SafeFileHandle OpenShared(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
}
