using System.Buffers;
using System.Text.Json;
using Auditrail.Detection.Engine;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// Writes one JSON object per line (the <see cref="AlertJson"/> form) to a stream — standard output or an
/// append-only file — and flushes after each batch so a reader tailing the output sees whole batches promptly.
/// </summary>
public sealed class JsonLinesAlertSink : IAlertSink, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Writes to <paramref name="stream"/>; disposes it with the sink when <paramref name="ownsStream"/>.</summary>
    public JsonLinesAlertSink(string name, Stream stream, bool ownsStream)
    {
        Name = name;
        _stream = stream;
        _ownsStream = ownsStream;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>A sink named <c>stdout</c> writing to the process's standard output.</summary>
    public static JsonLinesAlertSink StandardOutput() => new("stdout", Console.OpenStandardOutput(), ownsStream: true);

    /// <summary>A sink appending to <paramref name="path"/>, creating it (and its folder) if missing; others may read it meanwhile.</summary>
    public static JsonLinesAlertSink AppendToFile(string name, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
        return new JsonLinesAlertSink(name, stream, ownsStream: true);
    }

    /// <inheritdoc />
    public async ValueTask SendAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // The whole batch is serialised first and written in one call, so a failure never leaves half a line.
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            foreach (var alert in batch)
            {
                AlertJson.Write(writer, alert);
                writer.Flush();
                _buffer.Write("\n"u8);
                writer.Reset();
            }
        }

        await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _ownsStream ? _stream.DisposeAsync() : ValueTask.CompletedTask;
}
