using System.Globalization;
using Auditrail.Core.Model;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Stateful;

namespace Auditrail.Detection.Tests.Support;

/// <summary>A rule pack compiled through the real loader, and events written tersely, for stateful-rule tests.</summary>
public static class Scenario
{
    public static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Compiles the rules YAML (the RulePack header is added); any diagnostic fails the test.</summary>
    public static RuleSet Rules(string rulesYaml)
    {
        var loader = new RulePackLoader();
        loader.LoadText($"apiVersion: auditrail.io/v1alpha1\nkind: RulePack\nmetadata: {{name: t}}\n{rulesYaml}", "t.yaml");
        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        var rules = RuleSet.Compile(loader.Build(), diagnostics);
        Assert.Empty(diagnostics);
        return rules;
    }

    public static DetectionEngine NewEngine(string rulesYaml, DetectionOptions? options = null) =>
        new(Rules(rulesYaml), options ?? DetectionOptions.Default);

    /// <summary>
    /// An event at <paramref name="at"/> after <see cref="Start"/>: <c>verb</c>, <c>resource</c>,
    /// <c>name</c>, <c>user</c>, <c>ip</c>, <c>agent</c>, <c>code</c>, <c>id</c> and <c>ns</c> (empty: cluster-scoped) can be set.
    /// </summary>
    public static AuditEvent Event(TimeSpan at, string verb = "get", string resource = "pods", string name = "p", string user = "alice",
        string ip = "10.0.0.1", string agent = "kubectl/v1.30", int code = 200, string? id = null, string ns = "default")
    {
        var time = (Start + at).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        id ??= Guid.NewGuid().ToString("D");
        var json = $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{{id}}","stage":"ResponseComplete","requestURI":"/x","verb":"{{verb}}","user":{"username":"{{user}}","groups":["system:authenticated"]},"sourceIPs":["{{ip}}"],"userAgent":"{{agent}}","objectRef":{"resource":"{{resource}}",{{(ns.Length > 0 ? $"\"namespace\":\"{ns}\"," : "")}}"name":"{{name}}","apiVersion":"v1"},"responseStatus":{"code":{{code}}},"requestReceivedTimestamp":"{{time}}","stageTimestamp":"{{time}}"}""";
        return Events.ReadText(json).Single();
    }

    public static List<Alert> Run(DetectionEngine engine, IEnumerable<AuditEvent> events)
    {
        var alerts = new List<Alert>();
        foreach (var e in events)
        {
            engine.Process(e, alerts.Add);
        }

        return alerts;
    }

    public static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

    public static TimeSpan Minutes(double m) => TimeSpan.FromMinutes(m);

    public static TimeSpan Hours(double h) => TimeSpan.FromHours(h);

    public static TimeSpan Days(double d) => TimeSpan.FromDays(d);
}
