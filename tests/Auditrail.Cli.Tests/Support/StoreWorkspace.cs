namespace Auditrail.Cli.Tests.Support;

/// <summary>A temporary directory holding a small audit log and a store path, for the import, query and backtest tests.</summary>
public sealed class StoreWorkspace : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("auditrail-cli-store-").FullName;

    public StoreWorkspace()
    {
        Store = Path.Combine(_directory, "audit.duckdb");
        Log = Write("audit.log",
            Line("a1", "10:00:00", "get", "alice", "pods", "web", null, 200, "10.0.0.5"),
            Line("a2", "10:01:00", "delete", "system:serviceaccount:ci:deployer", "pods", "web", null, 200, "10.0.0.9"),
            Line("a3", "10:02:00", "create", "mallory", "pods", "web", "exec", 403, "203.0.113.7"),
            Line("a4", "10:03:00", "get", "mallory", "secrets", "db", null, 403, "203.0.113.7"));
    }

    public string Store { get; }

    public string Log { get; }

    public string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>One ResponseComplete event of 2026-03-01 as the log backend writes it.</summary>
    public static string Line(string auditId, string time, string verb, string user, string resource, string name, string? subresource, int code, string ip)
    {
        var sub = subresource is null ? string.Empty : $",\"subresource\":\"{subresource}\"";
        var decision = code == 403 ? "forbid" : "allow";
        return $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{auditId}}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/{{resource}}/{{name}}","verb":"{{verb}}","user":{"username":"{{user}}","groups":["system:authenticated"]},"sourceIPs":["{{ip}}"],"userAgent":"kubectl/v1.31.0","objectRef":{"resource":"{{resource}}","namespace":"default","name":"{{name}}","apiVersion":"v1"{{sub}} },"responseStatus":{"metadata":{},"code":{{code}}},"requestReceivedTimestamp":"2026-03-01T{{time}}.000000Z","stageTimestamp":"2026-03-01T{{time}}.050000Z","annotations":{"authorization.k8s.io/decision":"{{decision}}"} }""";
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
