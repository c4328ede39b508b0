using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Auditrail.Server.Durability;

/// <summary>
/// The file-system steps that make small state files (the write-ahead log's metadata, the file-tail
/// checkpoint) survive a power cut: a new or renamed file is only
/// durable once its directory entry is, which takes an fsync of the directory itself. .NET cannot open a
/// directory for that, so on Linux and macOS it is one <c>open</c>/<c>fsync</c>/<c>close</c> through libc.
/// </summary>
internal static class DurableFiles
{
    private const int ReadOnlyDirectory = 0; // O_RDONLY; a directory is opened read-only to be fsynced.

    /// <summary>Makes the directory's entries (created, renamed, deleted files) durable. Best effort elsewhere than Unix.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals directory changes with the file's metadata.
        }

        var descriptor = Open(directory, ReadOnlyDirectory);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open directory {directory} to make its entries durable (errno {Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture)})");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture)})");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> atomically: a temporary file is
    /// written and fsynced, renamed over the old one, and the rename made durable. A crash leaves the old
    /// or the new content, never a torn mix.
    /// </summary>
    public static void ReplaceAtomically(string path, string content) =>
        ReplaceAtomically(path, stream => stream.Write(Encoding.UTF8.GetBytes(content)));

    /// <summary>
    /// Replaces <paramref name="path"/> atomically with what <paramref name="write"/> writes to the stream it
    /// is given (the temporary file); see <see cref="ReplaceAtomically(string, string)"/>.
    /// </summary>
    public static void ReplaceAtomically(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which this project does not allow.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
