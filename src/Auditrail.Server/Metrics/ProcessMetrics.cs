using System.Diagnostics;

namespace Auditrail.Server.Metrics;

/// <summary>
/// The process and runtime figures every Prometheus client exports under the same names
/// (<c>process_*</c> as the Prometheus client guidelines define them, <c>dotnet_*</c> for the runtime), so
/// existing dashboards and alerts work unchanged.
/// </summary>
internal sealed class ProcessMetrics : IMetricsSource
{
    /// <summary>The one instance; stateless apart from the start time.</summary>
    public static readonly ProcessMetrics Instance = new();

    /// <summary>Read once: the start time never changes, and Process objects are not free.</summary>
    private static readonly double StartTimeSeconds = ReadStartTime();

    public void Collect(MetricsWriter writer)
    {
        using (var process = Process.GetCurrentProcess())
        {
            writer.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", process.TotalProcessorTime.TotalSeconds);
            writer.Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", process.VirtualMemorySize64);
        }

        writer.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", Environment.WorkingSet);
        writer.Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", StartTimeSeconds);
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd"))
        {
            writer.Gauge("process_open_fds", "Number of open file descriptors.", Directory.EnumerateFileSystemEntries("/proc/self/fd").Count());
        }

        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            writer.Counter("dotnet_gc_collections_total", "Garbage collections since the process started, by generation.",
                GC.CollectionCount(generation), ("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        writer.Gauge("dotnet_gc_heap_size_bytes", "Bytes on the managed heap as of the last garbage collection.", GC.GetGCMemoryInfo().HeapSizeBytes);
        writer.Counter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.", GC.GetTotalAllocatedBytes());
        writer.Counter("dotnet_gc_pause_seconds_total", "Time the runtime was paused for garbage collection.", GC.GetTotalPauseDuration().TotalSeconds);
        writer.Gauge("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not yet started.", ThreadPool.PendingWorkItemCount);
        writer.Gauge("dotnet_threadpool_threads", "Thread-pool threads that currently exist.", ThreadPool.ThreadCount);
        writer.Counter("dotnet_threadpool_completed_items_total", "Work items the thread pool has completed.", ThreadPool.CompletedWorkItemCount);
        writer.Counter("dotnet_monitor_lock_contention_total", "Times a thread waited for a contended lock.", Monitor.LockContentionCount);
    }

    private static double ReadStartTime()
    {
        using var process = Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0;
    }
}
