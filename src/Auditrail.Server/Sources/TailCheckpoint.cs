using System.Text.Json;

namespace Auditrail.Server.Sources;

/// <summary>Where reading of one file stands: everything before <see cref="Offset"/> is in the write-ahead log or was skipped.</summary>
/// <param name="Identity">The file's <see cref="FileIdentity"/>.</param>
/// <param name="Path">Where the file was last seen; used to look for it after a restart when it was renamed meanwhile.</param>
/// <param name="Offset">Byte offset of the next unread line.</param>
/// <param name="Line">How many lines come before <see cref="Offset"/> (for <c>file:line</c> in diagnostics).</param>
internal sealed record TailPosition(string Identity, string Path, long Offset, long Line);

/// <summary>
/// The positions of every tailed file, kept in one small JSON file. It is replaced atomically (write a
/// temporary file, flush it to disk, rename over), so a crash leaves either the old or the new state,
/// never a torn one.
/// </summary>
internal static class TailCheckpoint
{
    /// <summary>Reads the positions; a missing file is a first start.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a checkpoint.</exception>
    public static IReadOnlyList<TailPosition> Load(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var positions = new List<TailPosition>();
            foreach (var file in document.RootElement.GetProperty("files").EnumerateArray())
            {
                positions.Add(new TailPosition(
                    file.GetProperty("identity").GetString() ?? throw new InvalidDataException("identity is null"),
                    file.GetProperty("path").GetString() ?? string.Empty,
                    file.GetProperty("offset").GetInt64(),
                    file.GetProperty("line").GetInt64()));
            }

            return positions;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a file-tail checkpoint: {ex.Message}", ex);
        }
    }

    /// <summary>Replaces the checkpoint with <paramref name="positions"/>, durably.</summary>
    public static void Save(string path, IEnumerable<TailPosition> positions)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("version"u8, 1);
                writer.WriteStartArray("files"u8);
                foreach (var position in positions)
                {
                    writer.WriteStartObject();
                    writer.WriteString("identity"u8, position.Identity);
                    writer.WriteString("path"u8, position.Path);
                    writer.WriteNumber("offset"u8, position.Offset);
                    writer.WriteNumber("line"u8, position.Line);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
