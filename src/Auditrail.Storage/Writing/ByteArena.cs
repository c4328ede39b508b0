using System.Text;

namespace Auditrail.Storage.Writing;

/// <summary>Where a value lies in a <see cref="ByteArena"/>; <see cref="Null"/> for a missing value.</summary>
internal readonly record struct ArenaSlice(int Chunk, int Offset, int Length)
{
    public static ArenaSlice Null => new(0, 0, -1);

    public bool IsNull => Length < 0;
}

/// <summary>
/// The pending batch's bytes (text columns as UTF-8, compressed frames) in a few large reused arrays.
/// </summary>
/// <remarks>
/// Why: a batch holds a quarter of a million rows until its merge, so everything it references survives
/// every garbage collection in between and is copied from generation to generation. With a string
/// or a byte array per value, preparing a row took 8.6 µs of CPU; with the values here, 5.2 (probe of
/// 200k events in memory, strip and zstd unchanged at about 3 µs). Bytes in 1 MiB chunks are not
/// moved by the collector (large-object heap), are reused by the next batch, and are what the
/// Appender wants anyway (it copies UTF-8 into DuckDB's vectors).
/// </remarks>
internal sealed class ByteArena
{
    private const int ChunkBytes = 1 << 20;

    private readonly List<byte[]> _chunks = [];
    private int _chunk = -1;
    private int _used;

    /// <summary>Copies <paramref name="bytes"/> in.</summary>
    public ArenaSlice Add(ReadOnlySpan<byte> bytes)
    {
        var (chunk, offset) = Reserve(bytes.Length);
        bytes.CopyTo(_chunks[chunk].AsSpan(offset));
        _used += bytes.Length;
        return new(chunk, offset, bytes.Length);
    }

    /// <summary>Copies <paramref name="text"/> in as UTF-8; null stays null.</summary>
    public ArenaSlice Add(string? text)
    {
        if (text is null)
        {
            return ArenaSlice.Null;
        }

        var (chunk, offset) = Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = Encoding.UTF8.GetBytes(text, _chunks[chunk].AsSpan(offset));
        _used += length;
        return new(chunk, offset, length);
    }

    /// <summary>The bytes of <paramref name="slice"/> (not null), valid until <see cref="Clear"/>.</summary>
    public Span<byte> this[ArenaSlice slice] => _chunks[slice.Chunk].AsSpan(slice.Offset, slice.Length);

    /// <summary>Forgets every value; the chunks are kept for the next batch.</summary>
    public void Clear()
    {
        _chunk = -1;
        _used = 0;
    }

    /// <summary>Room for <paramref name="size"/> bytes: the rest of the current chunk, else the next one (one of its own for a huge value).</summary>
    private (int Chunk, int Offset) Reserve(int size)
    {
        if (_chunk < 0 || _chunks[_chunk].Length - _used < size)
        {
            _chunk++;
            _used = 0;
            var length = Math.Max(size, ChunkBytes);
            if (_chunk == _chunks.Count)
            {
                _chunks.Add(new byte[length]);
            }
            else if (_chunks[_chunk].Length < size)
            {
                _chunks[_chunk] = new byte[length];
            }
        }

        return (_chunk, _used);
    }
}
