using System.Text;
using System.Text.Json;
using Auditrail.Server.Sources;
using Auditrail.Server.Tests.Support;

namespace Auditrail.Server.Tests.Sources;

/// <summary>
/// A temporary log directory, an in-memory write-ahead log and a running <see cref="FileTailer"/>
/// (polling every 10 ms) that can be stopped and started again on the same checkpoint.
/// </summary>
internal sealed class TailHarness : IAsyncDisposable
{
    private CancellationTokenSource? _stop;
    private Task? _running;

    public TailHarness()
    {
        Directory = Path.Combine(Path.GetTempPath(), "auditrail-tail-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public InMemoryWriteAheadLog Wal { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The counters of the tailer started last.</summary>
    public FileTailCounters Counters { get; private set; } = new();

    public string CheckpointFile => Path.Combine(Directory, "data", "tail-checkpoint.json");

    /// <summary>The auditIDs of every appended event, in order.</summary>
    public IReadOnlyList<string> AuditIds => [.. Wal.Lines.Select(line => Parse(line).GetProperty("auditID").GetString()!)];

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Options for tests: fast polling, the harness's checkpoint, cluster <c>prod</c>.</summary>
    public FileTailOptions Options(params string[] paths) => new()
    {
        Paths = paths,
        CheckpointFile = CheckpointFile,
        Cluster = "prod",
        PollInterval = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(40),
    };

    /// <summary>An audit event line (no newline) with the given auditID.</summary>
    public static string Event(string auditId) =>
        $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{auditId}}","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/pods"}""";

    /// <summary>Appends each line plus a newline, the way the log backend writes.</summary>
    public static void Append(string path, params string[] lines) =>
        File.AppendAllText(path, string.Concat(lines.Select(l => l + "\n")), Utf8WithoutBom);

    /// <summary>What kube-apiserver writes: UTF-8 without a byte-order mark.</summary>
    public static Encoding Utf8WithoutBom { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static void AppendEvents(string path, params string[] auditIds) => Append(path, [.. auditIds.Select(Event)]);

    public static JsonElement Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    public void Start(FileTailOptions options)
    {
        if (_running is not null)
        {
            throw new InvalidOperationException("already running");
        }

        Counters = new FileTailCounters();
        var tailer = new FileTailer(Wal, options, TimeProvider.System, Logs.CreateLogger("tail"), Counters);
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _running = Task.Run(() => tailer.RunAsync(token), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (_running is null)
        {
            return;
        }

        await _stop!.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
        _running = null;
    }

    /// <summary>Waits (generously) for <paramref name="condition"/>; fails naming <paramref name="what"/>.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + TimeProvider.System.TimestampFrequency * 30;
        while (!condition())
        {
            if (_running is { IsCompleted: true })
            {
                await _running; // Surfaces a crashed tailer instead of a timeout.
            }

            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"timed out waiting for {what}; appended so far: [{string.Join(", ", SafeIds())}]; log: {string.Join("\n", Logs.Lines)}");
            await Task.Delay(10);
        }
    }

    public Task WaitForEventsAsync(int count) => WaitUntilAsync(() => Wal.Lines.Count >= count, $"{count} events");

    /// <summary>
    /// Waits until the tailer has finished two more polls, so "nothing more arrived" means it looked
    /// and found nothing, not that it had not looked yet.
    /// </summary>
    public async Task WaitForTwoPollsAsync()
    {
        var polls = Counters.Polls;
        await WaitUntilAsync(() => Counters.Polls >= polls + 2, "two more polls");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private IEnumerable<string> SafeIds()
    {
        foreach (var line in Wal.Lines)
        {
            yield return line.Length > 60 ? line[..60] : line;
        }
    }
}
