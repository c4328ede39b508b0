using Auditrail.Cel;
using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;
using BenchmarkDotNet.Attributes;

namespace Auditrail.Benchmarks;

/// <summary>
/// Typical rule conditions evaluated on audit events from the generated log, the way the detection
/// engine will: one compiled program, one activation reset per event. Each operation evaluates the
/// condition on every one of the <see cref="EventCount"/> events, so evaluations/s = EventCount / mean.
/// </summary>
[MemoryDiagnoser]
public class CelBenchmarks
{
    public const int EventCount = 1000;

    private static readonly string[] Resources =
    [
        "pods", "deployments", "daemonsets", "statefulsets", "replicasets", "jobs", "cronjobs", "secrets", "configmaps", "services",
        "serviceaccounts", "roles", "rolebindings", "clusterroles", "clusterrolebindings", "namespaces", "nodes", "persistentvolumes",
        "ingresses", "networkpolicies",
    ];

    private AuditEvent[] _events = [];
    private AuditEventActivation _activation = null!;
    private CelProgram _equality = null!;
    private CelProgram _inList = null!;
    private CelProgram _matches = null!;
    private CelProgram _existsGroups = null!;

    [GlobalSetup]
    public void Setup()
    {
        _events = BenchmarkData.FirstEvents(EventCount);
        var environment = AuditCelEnvironment.Create();
        _activation = new AuditEventActivation(environment);
        _equality = Compile(environment, "verb == 'create'");
        _inList = Compile(environment, $"objectRef.resource in [{string.Join(", ", Resources.Select(r => $"'{r}'"))}]");
        _matches = Compile(environment, "userAgent.matches('^kubectl/v1\\\\.[0-9]+')");
        _existsGroups = Compile(environment, "user.groups.exists(g, g == 'system:masters')");
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int StringEquality() => Run(_equality);

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int InListOf20() => Run(_inList);

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int Matches() => Run(_matches);

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int ExistsOverGroups() => Run(_existsGroups);

    private int Run(CelProgram program)
    {
        var matches = 0;
        foreach (var e in _events)
        {
            if (program.Evaluate(_activation.Reset(e)).IsTrue)
            {
                matches++;
            }
        }

        return matches;
    }

    private static CelProgram Compile(CelEnvironment environment, string expression) =>
        environment.Compile(expression).Program ?? throw new InvalidOperationException($"does not compile: {expression}");
}
