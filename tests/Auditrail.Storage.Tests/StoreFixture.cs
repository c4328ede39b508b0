using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Storage.Writing;

namespace Auditrail.Storage.Tests;

/// <summary>A store in a fresh temporary directory, deleted afterwards; events go in through the real reader.</summary>
internal sealed class TempStore : IDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("auditrail-store-").FullName;

    public TempStore(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Path = System.IO.Path.Combine(_directory, "audit.duckdb");
        Store = DuckDbEventStore.Open(new StoreOptions(Path) { Time = Time });
    }

    public string Path { get; }

    public TimeProvider Time { get; }

    public DuckDbEventStore Store { get; private set; }

    public string Directory => _directory;

    /// <summary>Closes and reopens the file, as a restarted process would.</summary>
    public void Reopen(bool readOnly = false)
    {
        Store.Dispose();
        Store = DuckDbEventStore.Open(new StoreOptions(Path) { Time = Time, ReadOnly = readOnly });
    }

    public string WriteLog(string name, IEnumerable<string> lines)
    {
        var path = System.IO.Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>Reads a log file with the default (redacting) reader and stores its events.</summary>
    public (IngestCounters Stored, ReadCounters Read, List<ReadDiagnostic> Diagnostics) Import(string path, int batchSize = EventWriter.DefaultBatchSize)
    {
        using var writer = Store.OpenWriter(batchSize);
        var handler = new WritingHandler(writer);
        var read = new AuditLogReader().ReadPaths([path], handler);
        writer.Flush();
        return (writer.Counters, read, handler.Diagnostics);
    }

    public (IngestCounters Stored, ReadCounters Read, List<ReadDiagnostic> Diagnostics) Import(IEnumerable<string> lines, int batchSize = EventWriter.DefaultBatchSize) =>
        Import(WriteLog($"log-{Guid.NewGuid():N}.jsonl", lines), batchSize);

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A reader thread of a failed test may still hold the file; the OS temp cleaner gets it.
        }
    }

    private sealed class WritingHandler(EventWriter writer) : IAuditEventHandler
    {
        public List<ReadDiagnostic> Diagnostics { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => writer.Append(auditEvent);

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Diagnostics.Add(diagnostic);
    }
}

/// <summary>A clock the test moves by hand; timers fire when it passes their due time.</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by)
    {
        now += by;
        foreach (var timer in _timers.ToList())
        {
            timer.FireIfDue(now);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(callback, state, now + dueTime, period, t => _timers.Remove(t));
        _timers.Add(timer);
        return timer;
    }

    private sealed class ManualTimer(TimerCallback callback, object? state, DateTimeOffset due, TimeSpan period, Action<ManualTimer> remove) : ITimer
    {
        public void FireIfDue(DateTimeOffset now)
        {
            while (due <= now)
            {
                callback(state);
                due += period;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

        public void Dispose() => remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
