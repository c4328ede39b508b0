using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Loading;
using Auditrail.Core.Model;
using BenchmarkDotNet.Attributes;

namespace Auditrail.Benchmarks;

/// <summary>
/// Audit policy evaluation, as <c>auditrail policy simulate</c> and the webhook will run it: one
/// compiled policy, events from the generated log parsed beforehand. Each operation evaluates every one
/// of the <see cref="EventCount"/> events, so evaluations/s = EventCount / mean, and the allocation
/// column must stay at zero.
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    public const int EventCount = 1000;

    private AuditEvent[] _events = [];
    private CompiledPolicy _gce = null!;
    private CompiledPolicy _generator = null!;
    private CompiledPolicy _recommended = null!;

    [GlobalSetup]
    public void Setup()
    {
        _events = BenchmarkData.FirstEvents(EventCount);
        _gce = Load("tests", "data", "audit-policy", "gce-master-audit-policy.yaml");
        _generator = Load("bench", "Auditrail.LogGenerator", "audit-policy.yaml");
        _recommended = Load("deploy", "audit-policy.yaml");
    }

    /// <summary>The GCE production policy: 17 rules, most of them None rules for named users that every event must get past.</summary>
    [Benchmark(OperationsPerInvoke = EventCount)]
    public int GcePolicy() => Run(_gce);

    /// <summary>The policy the generator's apiserver ran (8 rules).</summary>
    [Benchmark(OperationsPerInvoke = EventCount)]
    public int GeneratorPolicy() => Run(_generator);

    /// <summary>deploy/audit-policy.yaml, the policy Auditrail recommends.</summary>
    [Benchmark(OperationsPerInvoke = EventCount)]
    public int RecommendedPolicy() => Run(_recommended);

    private int Run(CompiledPolicy policy)
    {
        var recorded = 0;
        foreach (var e in _events)
        {
            if (policy.Evaluate(e).Records(e.Stage))
            {
                recorded++;
            }
        }

        return recorded;
    }

    private static CompiledPolicy Load(params string[] path)
    {
        var file = Path.Combine([RepositoryRoot(), .. path]);
        var loaded = PolicyLoader.LoadFile(file);
        return loaded.Policy is { } policy && !loaded.HasErrors
            ? CompiledPolicy.Compile(policy)
            : throw new InvalidOperationException($"{file}: {string.Join("; ", loaded.Findings)}");
    }

    /// <summary>The checkout this benchmark was built from (BenchmarkDotNet runs a copy somewhere below it).</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Auditrail.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run the benchmarks from inside the repository");
    }
}
