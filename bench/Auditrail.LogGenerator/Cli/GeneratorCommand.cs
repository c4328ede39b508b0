using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;

namespace Auditrail.LogGenerator.Cli;

/// <summary>Parse, validate, run: events to the output, progress and the summary to standard error.</summary>
internal static class GeneratorCommand
{
    public const int Success = 0;
    public const int IoFailure = 1;
    public const int UsageError = 2;

    public static int Run(IReadOnlyList<string> args, Func<Stream> standardOutput, TextWriter standardError)
    {
        var settings = CliSettings.Parse(args, out var error);
        if (settings is null)
        {
            standardError.WriteLine("error: " + error);
            standardError.WriteLine("Run 'Auditrail.LogGenerator --help' for usage.");
            return UsageError;
        }

        if (settings.Help)
        {
            standardError.Write(CliSettings.Usage);
            return Success;
        }

        try
        {
            Generate(settings, standardOutput, standardError);
            return Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            standardError.WriteLine();
            standardError.WriteLine("error: " + e.Message);
            return IoFailure;
        }
    }

    private static void Generate(CliSettings settings, Func<Stream> standardOutput, TextWriter standardError)
    {
        var generator = new AuditLogGenerator(settings.Options);
        var clock = Stopwatch.StartNew();
        var progress = settings.Quiet || settings.Events < 200_000 ? null : new ConsoleProgress(settings.Events, standardError, clock);
        using (var file = settings.Output == "-" ? standardOutput() : File.Create(settings.Output, 1 << 16))
        using (var output = settings.Gzip ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : file)
        using (var labels = settings.Labels is null ? null : File.Create(settings.Labels))
        {
            generator.Write(output, settings.Events, labels, progress);
        }

        if (settings.Quiet)
        {
            return;
        }

        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
        var stats = generator.Stats;
        standardError.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {stats.Events:N0} events, {stats.Bytes / 1e6:N1} MB uncompressed in {seconds:N2} s ({stats.Events / seconds:N0} events/s, {stats.Bytes / 1e6 / seconds:N1} MB/s)"));
        standardError.Write(stats.ToString());
    }

    /// <summary>A progress line on standard error, rewritten at most twice a second.</summary>
    private sealed class ConsoleProgress(long total, TextWriter writer, Stopwatch clock) : IProgress<long>
    {
        private double _lastReport = double.MinValue;

        public void Report(long value)
        {
            var now = clock.Elapsed.TotalSeconds;
            if (now - _lastReport < 0.5 && value < total)
            {
                return;
            }

            _lastReport = now;
            var rate = value / Math.Max(now, 1e-6);
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"\r{value:N0} / {total:N0} events ({100.0 * value / Math.Max(total, 1):0.0}%), {rate:N0} events/s   "));
            if (value >= total)
            {
                writer.WriteLine();
            }
        }
    }
}
