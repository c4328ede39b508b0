using System.Diagnostics;
using System.Globalization;
using System.Text;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Stateful;

namespace Auditrail.Benchmarks;

/// <summary>
/// Memory held by one stateful rule with a million live keys: every event carries a new key (source
/// IP and identity), so nothing is shared and nothing is evicted. bench/state-memory.sh reports this
/// (managed bytes per key) beside the peak memory of a whole <c>auditrail scan</c> process.
/// </summary>
internal static class StateMemory
{
    private static readonly Dictionary<string, string> Rules = new(StringComparer.Ordinal)
    {
        ["threshold"] = "threshold: {count: 10, window: 5m, by: [sourceIP]}",
        ["distinct"] = "distinct: {field: objectRef.name, count: 10, window: 5m, by: [identity.name]}",
        ["sequence"] = "sequence: {within: 5m, by: [identity.name], steps: [{name: a, condition: \"verb == 'get'\"}, {name: b, condition: \"verb == 'delete'\"}]}",
        ["newTerms"] = "newTerms: {fields: [sourceIP], by: [identity.name], learnFor: 1d}",
        ["rate"] = "rate: {by: [identity.name], factor: 10, minCount: 100, learnFor: 1d}",
    };

    public static int Run(string kind, int keys)
    {
        if (!Rules.TryGetValue(kind, out var state))
        {
            Console.Error.WriteLine($"unknown kind '{kind}' ({string.Join(", ", Rules.Keys)})");
            return 2;
        }

        var loader = new RulePackLoader();
        loader.LoadText(RulePack(state), "memory.yaml");
        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        var engine = new DetectionEngine(RuleSet.Compile(loader.Build(), diagnostics), DetectionOptions.Default with { MaxKeys = keys });
        if (diagnostics.Count > 0)
        {
            Console.Error.WriteLine(string.Join('\n', diagnostics));
            return 2;
        }

        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var handler = new Feed(engine);
        const int Chunk = 10_000;
        for (var start = 0; start < keys; start += Chunk)
        {
            new AuditLogReader().ReadBytes(Events(start, Math.Min(Chunk, keys - start)), "memory", handler);
        }

        clock.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind}: {engine.StateKeys:N0} keys, {engine.EvictedKeys:N0} evicted; managed heap +{(after - before) / 1048576.0:F0} MB "
            + $"({(after - before) / (double)Math.Max(1, engine.StateKeys):F0} B/key); "
            + $"{keys / clock.Elapsed.TotalSeconds:N0} events/s"));
        GC.KeepAlive(engine);
        return 0;
    }

    /// <summary>Writes the same events as a log file, for measuring the whole <c>auditrail scan</c> process.</summary>
    public static int WriteLog(int keys, string path)
    {
        using var file = File.Create(path);
        const int Chunk = 10_000;
        for (var start = 0; start < keys; start += Chunk)
        {
            file.Write(Events(start, Math.Min(Chunk, keys - start)));
        }

        return 0;
    }

    /// <summary>The rule file for one detector kind, as the whole-process measurement loads it.</summary>
    public static int WriteRules(string kind, string path)
    {
        if (!Rules.TryGetValue(kind, out var state))
        {
            Console.Error.WriteLine($"unknown kind '{kind}' ({string.Join(", ", Rules.Keys)})");
            return 2;
        }

        File.WriteAllText(path, RulePack(state));
        return 0;
    }

    private static string RulePack(string state) => $"apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nrules:\n  - name: r\n    condition: \"true\"\n    {state}\n";

    /// <summary>Events numbered from <paramref name="start"/>, each with its own identity, address and name, one millisecond apart.</summary>
    private static byte[] Events(int start, int count)
    {
        var text = new StringBuilder(count * 420);
        var origin = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = start; i < start + count; i++)
        {
            var time = origin.AddMilliseconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture,
                $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{new Guid(i, 0, 0, new byte[8]):D}}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ns/secrets/s{{i}}","verb":"get","user":{"username":"user-{{i}}@example.com"},"sourceIPs":["10.{{i >> 16 & 255}}.{{i >> 8 & 255}}.{{i & 255}}"],"objectRef":{"resource":"secrets","namespace":"ns","name":"s{{i}}","apiVersion":"v1"},"responseStatus":{"code":200},"stageTimestamp":"{{time}}"}""")
                .Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private sealed class Feed(DetectionEngine engine) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) => engine.Process(auditEvent, static _ => { });

        public void OnDiagnostic(ReadDiagnostic diagnostic) => throw new InvalidOperationException(diagnostic.ToString());
    }
}
