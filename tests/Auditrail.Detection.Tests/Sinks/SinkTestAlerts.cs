using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Tests.Sinks;

internal static class SinkTestAlerts
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static Alert Make(
        string rule = "Secret read by unexpected identity",
        Severity severity = Severity.High,
        int secondsAfterT0 = 0,
        string identity = "system:serviceaccount:dev:builder",
        string target = "prod/secrets/db-password",
        string[]? tags = null,
        string? auditId = null) => new()
    {
        Rule = rule,
        Severity = severity,
        Time = T0.AddSeconds(secondsAfterT0),
        Cluster = "prod-eu",
        Identity = identity,
        Target = target,
        Verb = "get",
        SourceIp = "10.0.3.7",
        Message = $"{identity} read {target}",
        Tags = tags ?? ["secrets"],
        AuditIds = [auditId ?? Guid.NewGuid().ToString()],
    };

    /// <summary>Polls until <paramref name="condition"/> holds; the dispatcher works on background tasks.</summary>
    public static async Task WaitUntil(Func<bool> condition, int timeoutMs = 10_000)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.ElapsedMilliseconds < timeoutMs, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
