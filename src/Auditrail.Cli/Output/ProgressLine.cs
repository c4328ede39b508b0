using System.CommandLine;
using System.Globalization;
using Auditrail.Core.Reading;

namespace Auditrail.Cli.Output;

/// <summary>The <c>--progress</c> and <c>--no-progress</c> options of the verbs that read logs, and when to draw.</summary>
internal static class ProgressOptions
{
    /// <summary>Inputs smaller than this finish too soon for a progress line to help.</summary>
    public const long LargeInputBytes = 32L << 20;

    public static Option<bool> CreateForce() => new("--progress")
    {
        Description = "Draw a progress line on stderr even when it is not a terminal or the input is small.",
    };

    public static Option<bool> CreateDisable() => new("--no-progress")
    {
        Description = "Never draw a progress line (by default it is drawn on a terminal for inputs over 32 MiB).",
    };

    /// <summary>
    /// Whether to draw: never with --no-progress; always with --progress; otherwise only when stderr is a
    /// terminal and the input is large, or of unknown size (standard input).
    /// </summary>
    public static bool ShouldShow(bool force, bool disable, bool stderrIsTerminal, long? totalBytes)
    {
        if (disable)
        {
            return false;
        }

        if (force)
        {
            return true;
        }

        return stderrIsTerminal && (totalBytes is null || totalBytes >= LargeInputBytes);
    }

    /// <summary>The bytes the paths hold (directories as the reader walks them); null when one is stdin.</summary>
    public static long? TotalBytes(IEnumerable<string> paths)
    {
        long total = 0;
        foreach (var path in paths)
        {
            if (path == AuditLogReader.StdinName)
            {
                return null;
            }

            try
            {
                if (Directory.Exists(path))
                {
                    total += AuditLogReader.EnumerateLogFiles(path).Sum(f => new FileInfo(f).Length);
                }
                else if (File.Exists(path))
                {
                    total += new FileInfo(path).Length;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The reader reports the unreadable source; the progress line just counts it as empty.
            }
        }

        return total;
    }
}

/// <summary>
/// One line on stderr, redrawn in place: bytes read of the total, a bar, events per second and the time
/// left. Redrawn at most a few times a second; cleared before anything else is written to the terminal.
/// </summary>
internal sealed class ProgressLine(TextWriter error, string verb, long? totalBytes, TimeProvider time)
{
    private const int BarWidth = 24;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);

    private readonly long _started = time.GetTimestamp();
    private long _lastDrawn = long.MinValue;
    private long _finishedSources;
    private long _currentSource;
    private bool _shown;

    /// <summary>Events handled so far, as the caller counts them.</summary>
    public long Events { get; set; }

    /// <summary>A source started: the bytes of the one before count as done.</summary>
    public void SourceStarted()
    {
        _finishedSources += _currentSource;
        _currentSource = 0;
    }

    /// <summary>Takes the reader's progress report (bytes of the current source) and redraws when due.</summary>
    public void Report(long sourceBytesRead)
    {
        _currentSource = sourceBytesRead;
        var now = time.GetTimestamp();
        if (_lastDrawn != long.MinValue && time.GetElapsedTime(_lastDrawn, now) < RedrawInterval)
        {
            return;
        }

        _lastDrawn = now;
        error.Write("\r" + Render(time.GetElapsedTime(_started, now)) + "\x1b[K");
        _shown = true;
    }

    /// <summary>Removes the line, before other output or at the end.</summary>
    public void Clear()
    {
        if (_shown)
        {
            error.Write("\r\x1b[K");
            _shown = false;
        }
    }

    internal string Render(TimeSpan elapsed)
    {
        var done = _finishedSources + _currentSource;
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var rate = Events / seconds;
        var text = $"{verb} {ByteSize.Format(done)}";
        if (totalBytes is > 0 and var total)
        {
            var fraction = Math.Clamp((double)done / total, 0, 1);
            var filled = (int)Math.Round(fraction * BarWidth);
            var eta = fraction > 0 ? TimeSpan.FromSeconds(seconds * (1 - fraction) / fraction) : (TimeSpan?)null;
            text += $" / {ByteSize.Format(total)} [{new string('#', filled)}{new string('-', BarWidth - filled)}] {fraction * 100,3:F0}%";
            text += $"  {rate.ToString("N0", CultureInfo.InvariantCulture)} events/s  ETA {(eta is { } e ? Duration(e) : "?")}";
        }
        else
        {
            text += $"  {rate.ToString("N0", CultureInfo.InvariantCulture)} events/s  {Duration(elapsed)} elapsed";
        }

        return text;
    }

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
