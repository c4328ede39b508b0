using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Tests.Support;

namespace Auditrail.Detection.Tests.Engine;

public class DetectionEngineTests
{
    private const string Pack = """
        apiVersion: auditrail.io/v1alpha1
        kind: RulePack
        metadata: {name: t}
        rules:
          - name: exec
            severity: high
            stages: [ResponseStarted, ResponseComplete]
            condition: objectRef.subresource == 'exec'
            output: "%{identity.name} exec %{target}"
        """;

    private static string Event(string stage, string user = "alice", string impersonated = "") =>
        $$"""{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"same-id","stage":"{{stage}}","requestURI":"/api/v1/namespaces/ns/pods/p/exec","verb":"create","user":{"username":"{{user}}"},{{impersonated}}"sourceIPs":["10.1.2.3"],"objectRef":{"resource":"pods","namespace":"ns","name":"p","subresource":"exec","apiVersion":"v1"},"responseStatus":{"code":101},"stageTimestamp":"2024-01-01T00:00:00Z"}""";

    private static List<Alert> Scan(string log)
    {
        var loader = new RulePackLoader();
        loader.LoadText(Pack, "t.yaml");
        var diagnostics = new List<RuleDiagnostic>();
        var engine = new DetectionEngine(RuleSet.Compile(loader.Build(), diagnostics), cluster: "prod");
        Assert.Empty(diagnostics);
        var alerts = new List<Alert>();
        foreach (var e in Events.ReadText(log))
        {
            engine.Process(e, alerts.Add);
        }

        return alerts;
    }

    [Fact]
    public void Several_stages_of_one_request_alert_once()
    {
        var alerts = Scan(Event("ResponseStarted") + "\n" + Event("ResponseComplete") + "\n");

        var alert = Assert.Single(alerts);
        Assert.Equal(["same-id"], alert.AuditIds);
    }

    [Fact]
    public void An_alert_carries_who_what_where_and_when()
    {
        var alert = Assert.Single(Scan(Event("ResponseStarted", impersonated: "\"impersonatedUser\":{\"username\":\"bob\"},") + "\n"));

        Assert.Equal(("exec", Severity.High, "bob", "alice", "ns/pods/p/exec", "10.1.2.3", "prod"),
            (alert.Rule, alert.Severity, alert.Identity, alert.Impersonator, alert.Target, alert.SourceIp, alert.Cluster));
        Assert.Equal("bob exec ns/pods/p/exec", alert.Message);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), alert.Time);
    }

    [Fact]
    public void Stages_the_rule_does_not_list_never_alert()
    {
        Assert.Empty(Scan(Event("RequestReceived") + "\n"));
    }
}
