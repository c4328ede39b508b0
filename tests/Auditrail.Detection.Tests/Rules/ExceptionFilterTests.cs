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
}
