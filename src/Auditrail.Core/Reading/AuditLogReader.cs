namespace Auditrail.Core.Reading;

/// <summary>
/// Reads kube-apiserver audit events from files, directories, stdin or memory, whatever the format
/// (log-backend JSON lines, EventList, arrays, GKE, EKS and AKS exports; gzip or not), reporting every
/// bad record with its place and going on with the rest.
/// </summary>
/// <example>
/// <code>
/// var counters = new AuditLogReader().ReadPaths(["/var/log/kubernetes/audit"], handler);
/// </code>
/// </example>
public sealed class AuditLogReader(AuditReaderOptions? options = null)
{
    /// <summary>The name <c>-</c> stands for standard input, as in most Unix tools.</summary>
    public const string StdinName = "-";

    private readonly AuditReaderOptions _options = options ?? AuditReaderOptions.Default;

    /// <summary>Reads every path in order; directories are walked recursively in name order.</summary>
    /// <param name="openStdin">Opens what <c>-</c> reads; the process's standard input by default.</param>
    public ReadCounters ReadPaths(IEnumerable<string> paths, IAuditEventHandler handler, CancellationToken cancellationToken = default, Func<Stream>? openStdin = null)
    {
        var counters = new ReadCounters();
        ReadPathsInto(_options, paths, new RecordDecoder(_options, handler, counters), counters, cancellationToken, openStdin);
        return counters;
    }

    /// <summary>Reads one stream (a file, a request body). The stream is disposed.</summary>
    public ReadCounters ReadStream(Stream stream, string sourceName, IAuditEventHandler handler, CancellationToken cancellationToken = default)
    {
        var counters = new ReadCounters();
        ReadOne(_options, stream, sourceName, fromDirectory: false, new RecordDecoder(_options, handler, counters), counters, cancellationToken);
        return counters;
    }

    /// <summary>Reads bytes already in memory, such as a webhook batch.</summary>
    public ReadCounters ReadBytes(ReadOnlyMemory<byte> bytes, string sourceName, IAuditEventHandler handler, CancellationToken cancellationToken = default) =>
        ReadStream(new PrefixedStream(bytes, Stream.Null), sourceName, handler, cancellationToken);

    /// <summary>
    /// The walk over sources shared by the sequential and the parallel read: what is found goes to the
    /// sink; <paramref name="counters"/> gets the sources opened and the bytes read.
    /// </summary>
    internal static void ReadPathsInto(AuditReaderOptions options, IEnumerable<string> paths, IRecordSink sink, ReadCounters counters, CancellationToken cancellationToken, Func<Stream>? openStdin)
    {
        foreach (var path in paths)
        {
            if (path == StdinName)
            {
                ReadOne(options, (openStdin ?? Console.OpenStandardInput)(), "<stdin>", fromDirectory: false, sink, counters, cancellationToken);
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in EnumerateLogFiles(path))
                {
                    ReadFile(options, file, fromDirectory: true, sink, counters, cancellationToken);
                }
            }
            else
            {
                ReadFile(options, path, fromDirectory: false, sink, counters, cancellationToken);
            }
        }
    }

    /// <summary>Files under a directory, sorted so runs are repeatable; hidden files are left out.</summary>
    public static IEnumerable<string> EnumerateLogFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System })
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);

    private static void ReadFile(AuditReaderOptions options, string path, bool fromDirectory, IRecordSink sink, ReadCounters counters, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file or directory" : ex.Message;
            sink.Diagnostic(new ReadDiagnostic(DiagnosticSeverity.Error, DiagnosticCodes.UnreadableSource, path, 0, 0, null, $"cannot open: {reason}"));
            return;
        }

        ReadOne(options, file, path, fromDirectory, sink, counters, cancellationToken, () => file.Position, file.Length);
    }

    internal static void ReadOne(AuditReaderOptions options, Stream raw, string source, bool fromDirectory, IRecordSink sink, ReadCounters counters,
        CancellationToken cancellationToken, Func<long>? rawPosition = null, long rawLength = 0)
    {
        counters.Sources++;
        sink.SourceStart(source);
        Stream stream;
        try
        {
            stream = StreamBuffer.OpenMaybeCompressed(raw);
        }
        catch (IOException ex)
        {
            raw.Dispose();
            sink.Diagnostic(new ReadDiagnostic(DiagnosticSeverity.Error, DiagnosticCodes.UnreadableSource, source, 0, 0, null, $"cannot read: {ex.Message}"));
            return;
        }

        var reader = new SourceReader(stream, source, options, sink, rawPosition, rawLength);
        counters.Bytes += reader.Run(fromDirectory, cancellationToken);
    }
}
