using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Tests;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Server.Tests.Api;

/// <summary>
/// One server and store shared by the read-only endpoint tests: the requests of the storage query tests,
/// two alerts, and a clock 10 minutes after the first event, so relative windows (since=5m) are exact.
/// </summary>
public sealed class QueryApiFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = Start.AddMinutes(10);

    internal ApiServer Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Api = await ApiServer.StartAsync(new ManualTime(Now));
        Api.Store.Import([
            Event("g1", Start, verb: "get", user: "alice", name: "web"),
            Event("u1", Start.AddMinutes(1), verb: "patch", user: "alice", name: "web"),
            Event("d1", Start.AddMinutes(2), verb: "delete", user: "system:serviceaccount:ci:deployer", name: "web", sourceIp: "10.1.0.9"),
            Event("c1", Start.AddMinutes(3), verb: "create", user: "alice", resource: "deployments", apiGroup: "apps", name: "api"),
            Event("x1", Start.AddMinutes(4), verb: "create", user: "mallory", name: "web", subresource: "exec", code: 403, decision: "forbid", sourceIp: "203.0.113.7"),
            Event("x2", Start.AddMinutes(5), verb: "get", user: "mallory", resource: "secrets", name: "db", code: 403, decision: "forbid", sourceIp: "203.0.113.7"),
            Event("n1", Start.AddMinutes(6), verb: "list", user: "system:anonymous", resource: "pods", name: null, code: 401, decision: null, sourceIp: "198.51.100.2"),
            Event("o1", Start.AddMinutes(7), verb: "get", user: "alice", cluster: "prod-eu"),
        ]);
        using var writer = Api.Store.Store.OpenWriter();
        writer.AppendAlert(new Alert { Rule = "pod-exec", Severity = Severity.High, Time = Start.AddMinutes(4), Identity = "mallory", Message = "exec into web", AuditIds = ["x1"], Tags = ["T1609"] });
        writer.AppendAlert(new Alert { Rule = "secret-read", Severity = Severity.Low, Time = Start.AddMinutes(5), Identity = "mallory", Message = "read a secret", AuditIds = ["x2"] });
    }

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
