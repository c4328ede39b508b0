using System.Buffers;
using System.Text.Json;
using Auditrail.Detection.Engine;

namespace Auditrail.Detection.Sinks;

/// <summary>
/// Writes one JSON object per line (the <see cref="AlertJson"/> form) to a stream — standard output or an
/// append-only file — and flushes after each batch so a reader tailing the output sees whole batches promptly.
/// </summary>
/// <remarks>
/// Opened with <see cref="ResumeFile"/>, the file sink delivers each identified alert (<see cref="Alert.Id"/>)
/// exactly once across crashes: on open it cuts a torn last line (a crash in the middle of a write) and
/// remembers the ids already in the file's tail, then skips those when they are delivered again, as a
/// producer that re-publishes after a restart does. Alerts without an id are always written.
/// </remarks>
public sealed class JsonLinesAlertSink : IAlertSink, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly HashSet<string> _delivered = new(StringComparer.Ordinal);

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

    /// <summary>
    /// How much of an existing file <see cref="ResumeFile"/> reads back for delivered ids: 16 MiB, some
    /// ten thousand alerts, more than a producer has in flight when it crashes (the dispatcher's default
    /// queue holds 10,000 per sink).
    /// </summary>
    public const int DefaultResumeTailBytes = 16 << 20;

    /// <summary>Alerts not written because their id was already in the file when it was opened.</summary>
    public long SkippedAsDelivered { get; private set; }

    /// <summary>
    /// A sink appending to <paramref name="path"/> that picks up where an earlier process stopped: a torn
    /// last line is cut off, and alerts whose <see cref="Alert.Id"/> is among the last
    /// <paramref name="tailBytes"/> of the file are not written again.
    /// </summary>
    public static JsonLinesAlertSink ResumeFile(string name, string path, int tailBytes = DefaultResumeTailBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tailBytes);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
        try
        {
            var sink = new JsonLinesAlertSink(name, stream, ownsStream: true);
            sink.RecoverTail(tailBytes);
            return sink;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
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
                if (alert.Id is { } id && _delivered.Contains(id))
                {
                    SkippedAsDelivered++;
                    continue;
                }

                AlertJson.Write(writer, alert);
                writer.Flush();
                _buffer.Write("\n"u8);
                writer.Reset();
            }
        }

        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cuts a torn last line and collects the ids of the whole lines in the tail; leaves the stream at its end.</summary>
    private void RecoverTail(int tailBytes)
    {
        // Whatever follows the last newline is half an alert from a write the crash interrupted;
        // appending after it would glue the next alert onto it.
        var end = EndOfLastLine();
        if (end < _stream.Length)
        {
            _stream.SetLength(end);
        }

        var start = Math.Max(0, end - tailBytes);
        var tail = new byte[end - start];
        _stream.Position = start;
        _stream.ReadExactly(tail);
        ReadOnlySpan<byte> whole = tail;
        if (start > 0)
        {
            // The tail began inside a line; only lines read from their start can be trusted.
            var firstNewline = whole.IndexOf((byte)'\n');
            whole = firstNewline < 0 ? [] : whole[(firstNewline + 1)..];
        }

        foreach (var range in whole.Split((byte)'\n'))
        {
            if (ReadId(whole[range]) is { } id)
            {
                _delivered.Add(id);
            }
        }

        _stream.Seek(0, SeekOrigin.End);
    }

    /// <summary>The offset just past the file's last newline (0 when it has none), searched backwards in small reads.</summary>
    private long EndOfLastLine()
    {
        var chunk = new byte[4096];
        for (var end = _stream.Length; end > 0;)
        {
            var start = Math.Max(0, end - chunk.Length);
            var span = chunk.AsSpan(0, (int)(end - start));
            _stream.Position = start;
            _stream.ReadExactly(span);
            var newline = span.LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return start + newline + 1;
            }

            end = start;
        }

        return 0;
    }

    /// <summary>The top-level <c>id</c> of one JSON line, or null (no id, or not JSON: someone else's line).</summary>
    private static string? ReadId(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not an alert line; it cannot hold an id we wrote.
        }

        return null;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _ownsStream ? _stream.DisposeAsync() : ValueTask.CompletedTask;
}
