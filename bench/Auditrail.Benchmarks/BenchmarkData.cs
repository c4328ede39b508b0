using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.LogGenerator;

namespace Auditrail.Benchmarks;

/// <summary>
/// The shared benchmark input: a seeded, generated audit log, written once and reused by every
/// benchmark and by the whole-process comparison (bench/compare-jq.sh), so all figures describe the same bytes.
/// </summary>
public static class BenchmarkData
{
    public const int Seed = 42;

    public static string Directory { get; } =
        Environment.GetEnvironmentVariable("AUDITRAIL_BENCH_DATA") ?? Path.Combine(Path.GetTempPath(), "auditrail-bench");

    /// <summary>Path of the generated log with <paramref name="events"/> events, generating it on first use.</summary>
    public static string LogFile(long events)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, $"audit-{events}-seed{Seed}.jsonl");
        if (!File.Exists(path))
        {
            var partial = path + ".partial";
            using (var stream = File.Create(partial))
            {
                new AuditLogGenerator(new GeneratorOptions { Seed = Seed }).Write(stream, events);
            }

            File.Move(partial, path, overwrite: true);
        }

        return path;
    }

    /// <summary>The first <paramref name="count"/> events of the generated log, parsed and kept (for benchmarks of what happens after parsing).</summary>
    public static AuditEvent[] FirstEvents(int count)
    {
        var collector = new FirstEventsCollector(count);
        new AuditLogReader().ReadPaths([LogFile(Math.Max(count, 20_000))], collector);
        return [.. collector.Events];
    }

    private sealed class FirstEventsCollector(int count) : IAuditEventHandler
    {
        public List<AuditEvent> Events { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            if (Events.Count < count)
            {
                Events.Add(auditEvent.Detach());
            }
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
        }
    }
}
