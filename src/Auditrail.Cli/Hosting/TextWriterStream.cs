using System.Text;

namespace Auditrail.Cli.Hosting;

/// <summary>
/// A write-only stream onto a <see cref="TextWriter"/>, for writers of UTF-8 bytes (the stdout alert sink)
/// when a command's output is a text writer, as in tests. Writes are whole JSON lines, so no UTF-8
/// sequence is ever split across calls.
/// </summary>
internal sealed class TextWriterStream(TextWriter writer) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => writer.Write(Encoding.UTF8.GetString(buffer));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => writer.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
