using System.Text.Json;
using Auditrail.Server.Durability;

namespace Auditrail.Server.Sources;

/// <summary>Where reading of one file stands: everything before <see cref="Offset"/> is in the write-ahead log or was skipped.</summary>
/// <param name="Identity">The file's <see cref="FileIdentity"/>.</param>
/// <param name="Path">Where the file was last seen; used to look for it after a restart when it was renamed meanwhile.</param>
/// <param name="Offset">Byte offset of the next unread line.</param>
/// <param name="Line">How many lines come before <see cref="Offset"/> (for <c>file:line</c> in diagnostics).</param>
/// <param name="Complete">For a file no longer tailed: it was read to its very end (a compressed file read once).</param>
internal sealed record TailPosition(string Identity, string Path, long Offset, long Line, bool Complete = false);

/// <summary>
/// The checkpoint's content: the files being tailed, and the files finished with (released after
/// rotation, or compressed files read once), kept so that a compressed copy of one is not read again.
/// </summary>
internal sealed record TailState(IReadOnlyList<TailPosition> Tailed, IReadOnlyList<TailPosition> Finished);

/// <summary>
/// The positions of every tailed file, kept in one small JSON file. It is replaced atomically through
/// <see cref="DurableFiles.ReplaceAtomically(string, Action{Stream})"/>, so a crash leaves either the old
/// or the new state, never a torn one.
/// </summary>
internal static class TailCheckpoint
{
    /// <summary>Reads the positions; a missing file is a first start.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a checkpoint.</exception>
    public static TailState Load(string path)
    {
        if (!File.Exists(path))
        {
            return new TailState([], []);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return new TailState(
                ReadPositions(root.GetProperty("files")),
                root.TryGetProperty("finished", out var finished) ? ReadPositions(finished) : []);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a file-tail checkpoint: {ex.Message}", ex);
        }
    }

    private static List<TailPosition> ReadPositions(JsonElement array)
    {
        var positions = new List<TailPosition>();
        foreach (var file in array.EnumerateArray())
        {
            positions.Add(new TailPosition(
                file.GetProperty("identity").GetString() ?? throw new InvalidDataException("identity is null"),
                file.GetProperty("path").GetString() ?? string.Empty,
                file.GetProperty("offset").GetInt64(),
                file.GetProperty("line").GetInt64(),
                file.TryGetProperty("complete", out var complete) && complete.GetBoolean()));
        }

        return positions;
    }

    /// <summary>Replaces the checkpoint, durably.</summary>
    public static void Save(string path, IEnumerable<TailPosition> tailed, IEnumerable<TailPosition> finished)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DurableFiles.ReplaceAtomically(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            writer.WriteStartObject();
            writer.WriteNumber("version"u8, 1);
            WritePositions(writer, "files"u8, tailed);
            WritePositions(writer, "finished"u8, finished);
            writer.WriteEndObject();
        });
    }

    private static void WritePositions(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IEnumerable<TailPosition> positions)
    {
        writer.WriteStartArray(name);
        foreach (var position in positions)
        {
            writer.WriteStartObject();
            writer.WriteString("identity"u8, position.Identity);
            writer.WriteString("path"u8, position.Path);
            writer.WriteNumber("offset"u8, position.Offset);
            writer.WriteNumber("line"u8, position.Line);
            if (position.Complete)
            {
                writer.WriteBoolean("complete"u8, true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
