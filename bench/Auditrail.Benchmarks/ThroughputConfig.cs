using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Auditrail.Benchmarks;

/// <summary>
/// One launch, few iterations (each reads ~1 GB), and columns that turn the mean time into MB/s,
/// events/s and allocated bytes per event, the figures the reader is judged by.
/// </summary>
public sealed class ThroughputConfig : ManualConfig
{
    private static long s_bytes;
    private static long s_events;

    public ThroughputConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
        AddColumn(new ThroughputColumn("MB/s", (bytes, events, seconds, _) => bytes / 1e6 / seconds));
        AddColumn(new ThroughputColumn("events/s", (bytes, events, seconds, _) => events / seconds));
        AddColumn(new ThroughputColumn("B alloc/event", (bytes, events, seconds, allocated) => allocated / (double)events));
    }

    /// <summary>Set by the benchmark's setup; the child process writes it to a side file the host reads.</summary>
    public static void Record(long bytes, long events)
    {
        s_bytes = bytes;
        s_events = events;
        File.WriteAllText(SideFile, $"{bytes} {events}");
    }

    private static string SideFile => Path.Combine(BenchmarkData.Directory, "last-input-size.txt");

    private static (long Bytes, long Events) Input()
    {
        if (s_bytes > 0)
        {
            return (s_bytes, s_events);
        }

        var parts = File.Exists(SideFile) ? File.ReadAllText(SideFile).Split(' ') : ["0", "0"];
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class ThroughputColumn(string name, Func<double, double, double, double, double> compute) : IColumn
    {
        public string Id => name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => $"{name} computed from the mean time and the generated input size";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } statistics)
            {
                return "-";
            }

            var (bytes, events) = Input();
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase) ?? 0;
            var value = compute(bytes, events, statistics.Mean / 1e9, allocated);
            return value.ToString(value < 10 ? "F3" : "N0", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
