using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using BenchmarkDotNet.Attributes;

namespace Auditrail.Benchmarks;

/// <summary>
/// <c>auditrail scan</c> with the full default pack, without the process and the output: ns per event and
/// bytes allocated per event (the throughput columns) for matching and applying events parsed
/// beforehand, and for the whole read, match and apply over the generated log held in memory, on one
/// thread and on the parallel pipeline.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class ScanBenchmarks
{
    private RuleSet _rules = null!;
    private AuditEvent[] _parsed = [];
    private byte[] _log = [];

    [Params(200_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rules = LoadDefaultPack();
        _log = File.ReadAllBytes(BenchmarkData.LogFile(Events));
        var collector = new DetachingCollector();
        new AuditLogReader().ReadBytes(_log, "bench", collector);
        _parsed = [.. collector.Events];
        ThroughputConfig.Record(_log.LongLength, _parsed.Length);
    }

    /// <summary>The detection alone, as <c>scan</c> runs it: match and apply over events parsed beforehand.</summary>
    [Benchmark]
    public long MatchApply()
    {
        var engine = new DetectionEngine(_rules);
        var matcher = new RuleMatcher(_rules);
        var matches = new List<RuleMatch>();
        var alerts = new AlertCounter();
        foreach (var e in _parsed)
        {
            matches.Clear();
            matcher.Match(e, matches);
            engine.Apply(e, matches.Count == 0 ? [] : matches, alerts.Emit);
        }

        return alerts.Count;
    }

    /// <summary>Read, match and apply on one thread, as <c>scan --threads 1</c>.</summary>
    [Benchmark(Baseline = true)]
    public long ReadMatchApply()
    {
        var handler = new SequentialScan(_rules, new DetectionEngine(_rules));
        new AuditLogReader().ReadBytes(_log, "bench", handler);
        return handler.Alerts.Count;
    }

    /// <summary>Read, match and apply on the parallel pipeline with two workers, as <c>scan --threads 2</c>.</summary>
    [Benchmark]
    public long ReadMatchApplyTwoWorkers()
    {
        var handler = new OrderedScan(new DetectionEngine(_rules));
        new ParallelAuditLogReader(workers: 2).ReadBytes(_log, "bench", () => new RuleMatchAnalyzer(_rules), handler);
        return handler.Alerts.Count;
    }

    /// <summary>The bundled pack, from the repository (the benchmark runs from a copy of its build output).</summary>
    internal static RuleSet LoadDefaultPack()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "rules", "default")))
        {
            directory = directory.Parent;
        }

        var pack = Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("rules/default not found above " + AppContext.BaseDirectory), "rules", "default");
        var loader = new RulePackLoader();
        loader.LoadPath(pack);
        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        var rules = RuleSet.Compile(loader.Build(), diagnostics);
        if (diagnostics.Any(d => !d.IsWarning))
        {
            throw new InvalidOperationException(string.Join('\n', diagnostics));
        }

        return rules;
    }

    private sealed class AlertCounter
    {
        public AlertCounter() => Emit = alert => Count++;

        public Action<Alert> Emit { get; }

        public long Count { get; private set; }
    }

    private sealed class DetachingCollector : IAuditEventHandler
    {
        public List<AuditEvent> Events { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => Events.Add(auditEvent.Detach());

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
        }
    }

    private sealed class SequentialScan : IAuditEventHandler
    {
        private readonly DetectionEngine _engine;
        private readonly RuleMatcher _matcher;
        private readonly List<RuleMatch> _matches = [];
        private readonly Action<Alert> _emit;

        public SequentialScan(RuleSet rules, DetectionEngine engine)
        {
            _engine = engine;
            _matcher = new RuleMatcher(rules);
            _emit = Alerts.Add;
        }

        public List<Alert> Alerts { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            _matches.Clear();
            _matcher.Match(auditEvent, _matches);
            _engine.Apply(auditEvent, _matches.Count == 0 ? [] : _matches, _emit);
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
        }
    }

    private sealed class OrderedScan : IOrderedEventHandler<RuleMatch[]>
    {
        private readonly DetectionEngine _engine;
        private readonly Action<Alert> _emit;

        public OrderedScan(DetectionEngine engine)
        {
            _engine = engine;
            _emit = Alerts.Add;
        }

        public List<Alert> Alerts { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location, RuleMatch[] analysis) => _engine.Apply(auditEvent, analysis, _emit);

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
        }
    }
}
