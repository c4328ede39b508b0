using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using BenchmarkDotNet.Attributes;

namespace Auditrail.Benchmarks;

/// <summary>
/// The reader on the generated 1M-event log: parse every event (as every consumer does), touch the
/// fields a rule pack reads most, and count. Throughput is in the MB/s and events/s columns.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class ReaderBenchmarks
{
    private string _file = string.Empty;
    private byte[] _inMemory = [];

    [Params(1_000_000)]
    public int Events { get; set; }

    [Params(true, false)]
    public bool Redact { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _file = BenchmarkData.LogFile(Events);
        _inMemory = File.ReadAllBytes(_file);
        ThroughputConfig.Record(_inMemory.LongLength, Events);
    }

    /// <summary>From memory: the reader alone, without the page cache or disk in the figure.</summary>
    [Benchmark(Baseline = true)]
    public long ReadFromMemory()
    {
        var handler = new TouchingHandler();
        new AuditLogReader(new AuditReaderOptions { Redact = Redact }).ReadBytes(_inMemory, "bench", handler);
        return handler.Checksum;
    }

    /// <summary>From the file, as <c>auditrail read</c> does.</summary>
    [Benchmark]
    public long ReadFromFile()
    {
        var handler = new TouchingHandler();
        new AuditLogReader(new AuditReaderOptions { Redact = Redact }).ReadPaths([_file], handler);
        return handler.Checksum;
    }

    /// <summary>Reads what a typical rule reads, without materializing strings: verb, stage, code, resource.</summary>
    private sealed class TouchingHandler : IAuditEventHandler
    {
        public long Checksum { get; private set; }

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) =>
            Checksum += auditEvent.VerbUtf8.Length + (int)auditEvent.Stage + auditEvent.ResponseCode;

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Checksum--;
    }
}
