using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Tests;
using static Auditrail.Storage.Tests.AuditLines;

namespace Auditrail.Server.Tests.Api;

/// <summary>
/// One server and store shared by the read-only endpoint tests: the storage query tests' requests,
/// two alerts, and a clock 10 minutes after the first event, so relative windows (since=5m) are exact.
/// </summary>
public sealed class QueryApiFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = Start.AddMinutes(10);

    internal ApiServer Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Api = await ApiServer.StartAsync(new ManualTime(Now));
        Api.Store.Import(QueryScenario());
        using var writer = Api.Store.Store.OpenWriter();
        writer.AppendAlert(new Alert { Rule = "pod-exec", Severity = Severity.High, Time = Start.AddMinutes(4), Identity = "mallory", Message = "exec into web", AuditIds = ["x1"], Tags = ["T1609"] });
        writer.AppendAlert(new Alert { Rule = "secret-read", Severity = Severity.Low, Time = Start.AddMinutes(5), Identity = "mallory", Message = "read a secret", AuditIds = ["x2"] });
    }

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
