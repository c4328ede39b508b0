using System.Buffers;
using System.IO.Compression;

namespace Auditrail.Core.Reading;

/// <summary>
/// A sliding window over a stream: bytes before <c>keepFrom</c> are dropped on refill, the buffer grows
/// only while a caller keeps a long value, and line numbers are counted lazily from a cursor so a
/// position's line costs one vectorized count of the bytes since the last one asked for.
/// </summary>
internal sealed class StreamBuffer : IDisposable
{
    /// <summary>Bytes kept for a rewind beyond which a refill first waits for the parallel read to confirm some.</summary>
    private const int RetainedLimit = 64 << 20;

    private readonly Stream _stream;
    private readonly int _maxCapacity;
    private readonly IRetention? _retention;
    private int _windowCapacity;

    /// <summary>After a restore: bytes read already but not yet handed out again, up to here (a parallel read only).</summary>
    private int _filled;
    private byte[] _buffer;
    private int _end;
    private long _bufferOffset;
    private int _lineCursor;
    private long _lineAtCursor = 1;

    public StreamBuffer(Stream stream, int initialCapacity, int maxCapacity, IRetention? retention = null)
    {
        _stream = stream;
        _maxCapacity = Math.Max(maxCapacity, initialCapacity);
        _retention = retention;
        _windowCapacity = PooledLength(initialCapacity);
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public byte[] Buffer => _buffer;

    /// <summary>Index one past the last valid byte.</summary>
    public int End => _end;

    /// <summary>True once the stream has no more bytes.</summary>
    public bool Eof { get; private set; }

    /// <summary>Set when the stream failed (corrupt gzip, I/O error); the reader reports it and treats it as the end.</summary>
    public string? ReadError { get; private set; }

    /// <summary>
    /// Where the bytes a sequential read would still hold begin: 0, except in a parallel read, which
    /// keeps older bytes before it for a rewind.
    /// </summary>
    public int WindowStart { get; private set; }

    /// <summary>The state a sequential read's buffer would be in now (a parallel read only).</summary>
    public BufferWindow Window => new(AbsoluteOffset(WindowStart), AbsoluteOffset(_end), _windowCapacity, Eof);

    /// <summary>
    /// Goes back to an earlier <see cref="Window"/> whose bytes are all still kept: the bytes read since
    /// are handed out again by the next refills, as the stream gave them the first time.
    /// </summary>
    public void Restore(in BufferWindow window)
    {
        _filled = Math.Max(_filled, _end);
        WindowStart = checked((int)(window.Start - _bufferOffset));
        _end = checked((int)(window.End - _bufferOffset));
        _windowCapacity = window.Capacity;
        Eof = window.Eof;
        if (WindowStart < 0 || _end > _filled)
        {
            throw new InvalidOperationException("rewind to bytes no longer kept");
        }
    }

    /// <summary>Current read position in the buffer.</summary>
    public int Pos { get; set; }

    public long AbsoluteOffset(int index) => _bufferOffset + index;

    /// <summary>Total bytes consumed from the (decompressed) stream so far.</summary>
    public long BytesRead => _bufferOffset + _end;

    public ReadOnlySpan<byte> Span(int start, int length) => _buffer.AsSpan(start, length);

    /// <summary>1-based line number of the byte at <paramref name="index"/>.</summary>
    public long LineAt(int index)
    {
        if (index >= _lineCursor)
        {
            _lineAtCursor += _buffer.AsSpan(_lineCursor, index - _lineCursor).Count((byte)'\n');
        }
        else
        {
            _lineAtCursor -= _buffer.AsSpan(index, _lineCursor - index).Count((byte)'\n');
        }

        _lineCursor = index;
        return _lineAtCursor;
    }

    /// <summary>
    /// Reads more bytes, dropping those before <paramref name="keepFrom"/>. Returns how far kept bytes
    /// moved left, which callers subtract from indices they hold. Returns -1 when nothing more can come
    /// (end of stream, or the kept range already fills the largest buffer allowed).
    /// </summary>
    public int Fill(int keepFrom)
    {
        if (Eof)
        {
            return -1;
        }

        if (_retention is not null)
        {
            return FillRetaining(keepFrom);
        }

        var shift = 0;
        if (keepFrom > 0)
        {
            LineAt(keepFrom);
            System.Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, _end - keepFrom);
            _end -= keepFrom;
            _bufferOffset += keepFrom;
            _lineCursor -= keepFrom;
            Pos -= keepFrom;
            shift = keepFrom;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxCapacity)
            {
                return -1;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxCapacity));
            System.Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        int read;
        try
        {
            read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            ReadError = ex.Message;
            read = 0;
        }

        if (read == 0)
        {
            Eof = true;
        }

        _end += read;
        return shift;
    }

    /// <summary>
    /// <see cref="Fill"/> for a parallel read. The buffer a sequential read would have is emulated as a
    /// window (from <see cref="WindowStart"/>, of the same capacity, refilled by reads of the same size),
    /// so everything the reader decides from what is buffered comes out the same; before the window,
    /// bytes from the retention's offset on are kept as well, for a rewind.
    /// </summary>
    private int FillRetaining(int keepFrom)
    {
        if (keepFrom > WindowStart)
        {
            WindowStart = keepFrom;
        }

        var windowLength = _end - WindowStart;
        if (windowLength == _windowCapacity)
        {
            if (_windowCapacity >= _maxCapacity)
            {
                return -1;
            }

            _windowCapacity = PooledLength(Math.Min(_windowCapacity * 2, _maxCapacity));
        }

        var retainIndex = _retention!.RetainFrom - _bufferOffset;
        while (retainIndex < WindowStart && WindowStart - Math.Max(retainIndex, 0) > RetainedLimit)
        {
            _retention.WaitForRelease();
            retainIndex = _retention.RetainFrom - _bufferOffset;
        }

        // Move the kept bytes to the front only when the next read does not fit behind them, and then
        // leave room for many more reads: the kept bytes are megabytes, the reads a few hundred kilobytes.
        _filled = Math.Max(_filled, _end);
        var request = _windowCapacity - windowLength;
        var shift = 0;
        if (_buffer.Length - _filled < request)
        {
            shift = (int)Math.Clamp(retainIndex, 0, WindowStart);
            if (shift > 0)
            {
                // Dropping bytes before the line cursor leaves its line number as it is: no recount.
                if (_lineCursor < shift)
                {
                    LineAt(shift);
                }

                System.Buffer.BlockCopy(_buffer, shift, _buffer, 0, _filled - shift);
                _end -= shift;
                _filled -= shift;
                _bufferOffset += shift;
                _lineCursor -= shift;
                Pos -= shift;
                WindowStart -= shift;
            }

            if (_buffer.Length - _filled < request || _filled > _buffer.Length / 2)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(2 * _buffer.Length, _filled + request));
                System.Buffer.BlockCopy(_buffer, 0, bigger, 0, _filled);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
        }

        // Bytes read before a restore come first, then the stream, as one read of the size a sequential read asks for.
        var replayed = Math.Min(request, _filled - _end);
        int read;
        try
        {
            read = replayed + (replayed < request && _filled <= _end + replayed ? _stream.Read(_buffer, _end + replayed, request - replayed) : 0);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            ReadError = ex.Message;
            read = replayed;
        }

        if (read == 0)
        {
            Eof = true;
        }

        _end += read;
        _filled = Math.Max(_filled, _end);
        return shift;
    }

    /// <summary>The length of the array <see cref="ArrayPool{T}.Shared"/> hands out for a request: the next power of two.</summary>
    private static int PooledLength(int length) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, 16));

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _stream.Dispose();
    }

    /// <summary>
    /// Opens a stream for reading, transparently decompressing gzip (detected by its magic bytes, not the
    /// file name, so rotated files like <c>audit.log.3</c> that were compressed are read too).
    /// </summary>
    public static Stream OpenMaybeCompressed(Stream raw)
    {
        var prefix = new byte[2];
        var got = 0;
        while (got < 2)
        {
            var n = raw.Read(prefix, got, 2 - got);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        var replayed = new PrefixedStream(prefix.AsMemory(0, got), raw);
        return got == 2 && prefix[0] == 0x1f && prefix[1] == 0x8b ? new GZipStream(replayed, CompressionMode.Decompress) : replayed;
    }
}

/// <summary>
/// Replays bytes already taken from a stream (to sniff its format) before the rest of it; over
/// <see cref="Stream.Null"/> it is a read-only stream over memory that, unlike MemoryStream, needs no array.
/// </summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefix.IsEmpty)
        {
            return inner.Read(buffer);
        }

        var n = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
