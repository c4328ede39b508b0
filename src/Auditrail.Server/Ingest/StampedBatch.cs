using System.Buffers;

namespace Auditrail.Server.Ingest;

/// <summary>
/// The JSON lines of one accepted batch, written by <see cref="ClusterStamp"/> into one pooled array
/// that the write-ahead log writes from directly: a batch is copied once, from the request body to here.
/// The array is cleared when returned, since it holds event data.
/// </summary>
internal sealed class StampedBatch : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;
    private int _length;

    /// <param name="expectedBytes">The body's size plus the stamps: enough that growing is the exception.</param>
    public StampedBatch(int expectedBytes) => _array = ArrayPool<byte>.Shared.Rent(Math.Max(expectedBytes, 1024));

    public ReadOnlyMemory<byte> Lines => _array.AsMemory(0, _length);

    public void Advance(int count)
    {
        if (count < 0 || _length + count > _array.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _array.AsMemory(Reserve(sizeHint));

    public Span<byte> GetSpan(int sizeHint = 0) => _array.AsSpan(Reserve(sizeHint));

    public void Dispose()
    {
        var array = _array;
        _array = [];
        _length = 0;
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array, clearArray: true);
        }
    }

    /// <summary>Grows the array when the free space is under the hint; returns where free space starts.</summary>
    private int Reserve(int sizeHint)
    {
        if (_array.Length - _length < Math.Max(sizeHint, 1))
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_length + sizeHint, _array.Length * 2));
            _array.AsSpan(0, _length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_array, clearArray: true);
            _array = grown;
        }

        return _length;
    }
}
