using Auditrail.Detection.Rules;
using Auditrail.Detection.Tests.Support;
using static Auditrail.Detection.Tests.Support.Scenario;

namespace Auditrail.Detection.Tests.Rules;

/// <summary>Exceptions exempt the events a row matches, and only those: an absent field matches nothing.</summary>
public class ExceptionFilterTests
{
    private const string Pack = """
        rules:
          - name: secret-read
            condition: objectRef.resource == 'secrets'
            exceptions:
              - name: vault-in-its-namespace
                fields: [identity.name, objectRef.namespace]
                values:
                  - [vault, security]
              - name: admins
                fields: [user.groups]
                values: [platform-admins]
        """;

    [Fact]
    public void A_row_exempts_only_when_every_field_matches()
    {
        var engine = NewEngine(Pack);

        Assert.Empty(Run(engine, [Event(Seconds(0), resource: "secrets", user: "vault", ns: "security")]));
        Assert.Single(Run(engine, [Event(Seconds(1), resource: "secrets", user: "vault", ns: "default")]));
        Assert.Single(Run(engine, [Event(Seconds(2), resource: "secrets", user: "mallory", ns: "security")]));
    }

    [Fact]
    public void An_exception_on_a_field_the_event_lacks_does_not_silence_the_rule()
    {
        // A cluster-scoped read has no namespace: the first row cannot apply, and the rule still fires.
        var alerts = Run(NewEngine(Pack), [Event(Seconds(0), resource: "secrets", user: "vault", ns: "")]);

        Assert.Single(alerts);
    }

    [Fact]
    public void A_list_field_matches_a_value_it_contains()
    {
        var engine = NewEngine(Pack.Replace("values: [platform-admins]", "values: [system:authenticated]", StringComparison.Ordinal));

        Assert.Empty(Run(engine, [Event(Seconds(0), resource: "secrets", user: "alice")]));
    }

    [Theory]
    [InlineData("[startswith]", "vau", false)]
    [InlineData("[endswith]", "ult", false)]
    [InlineData("[contains]", "aul", false)]
    [InlineData("[icontains]", "AUL", false)]
    [InlineData("[glob]", "v*t", false)]
    [InlineData("[glob]", "v?t", true)]
    [InlineData("[in]", "vault", false)]
    [InlineData("[\"!=\"]", "vault", true)]
    [InlineData("[\"!=\"]", "someone-else", false)]
    [InlineData("[\"=\"]", "vau", true)]
    public void Comps_say_how_each_field_is_compared(string comps, string value, bool fires)
    {
        var engine = NewEngine($"""
            rules:
              - name: secret-read
                condition: objectRef.resource == 'secrets'
                exceptions:
                  - name: e
                    fields: [identity.name]
                    comps: {comps}
                    values: [[{value}]]
            """);

        Assert.Equal(fires, Run(engine, [Event(Seconds(0), resource: "secrets", user: "vault")]).Count == 1);
    }

    [Theory]
    [InlineData("/healthz", false)]
    [InlineData("/healthz/etcd", false)]
    [InlineData("/healthzz", true)]
    public void Pmatch_exempts_a_path_and_what_lies_beneath_it(string uri, bool fires)
    {
        var engine = NewEngine("""
            rules:
              - name: r
                condition: "true"
                exceptions:
                  - name: healthz
                    fields: [requestURI]
                    comps: [pmatch]
                    values: [[/healthz]]
            """);
        var probe = Events.ReadText($$"""{"auditID":"h","stage":"ResponseComplete","verb":"get","requestURI":"{{uri}}","stageTimestamp":"2024-01-01T00:00:00Z"}""");

        Assert.Equal(fires, Run(engine, probe).Count == 1);
    }

    [Fact]
    public void Comps_must_be_known_and_one_per_field()
    {
        var loader = new RulePackLoader();
        loader.LoadText("""
            apiVersion: auditrail.io/v1alpha1
            kind: RulePack
            metadata: {name: t}
            rules:
              - name: r
                condition: "true"
                exceptions:
                  - name: a
                    fields: [verb]
                    comps: [roughly]
                    values: [[get]]
                  - name: b
                    fields: [verb, objectRef.name]
                    comps: [startswith]
                    values: [[get, x]]
            """, "t.yaml");

        Assert.Equal(2, loader.Diagnostics.Count(d => d.Code == RuleCodes.ExceptionError));
        Assert.Contains(loader.Diagnostics, d => d.Message.Contains("unknown comparison 'roughly'", StringComparison.Ordinal));
    }
}
