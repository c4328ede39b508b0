using System.Buffers;

namespace Auditrail.LogGenerator.Infrastructure;

/// <summary>
/// The IBufferWriter that Utf8JsonWriter fills. One large array, written to the stream only when full, so the
/// stream sees few big writes (important under GZipStream) and the JSON writer never allocates.
/// </summary>
internal sealed class OutputBuffer(Stream stream, int capacity = 1 << 20) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[capacity];
    private int _position;

    public long TotalBytes { get; private set; }

    public void Advance(int count)
    {
        _position += count;
        TotalBytes += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Reserve(sizeHint));

    public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Reserve(sizeHint));

    public void WriteByte(byte value)
    {
        Reserve(1);
        _buffer[_position] = value;
        Advance(1);
    }

    public void Flush()
    {
        if (_position > 0)
        {
            stream.Write(_buffer, 0, _position);
            _position = 0;
        }

        stream.Flush();
    }

    private int Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 256);
        if (_buffer.Length - _position < needed)
        {
            stream.Write(_buffer, 0, _position);
            _position = 0;
            if (_buffer.Length < needed)
            {
                _buffer = new byte[Math.Max(needed, _buffer.Length * 2)];
            }
        }

        return _position;
    }
}
