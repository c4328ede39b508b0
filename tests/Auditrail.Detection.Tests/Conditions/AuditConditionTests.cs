using Auditrail.Cel;
using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;
using Auditrail.Detection.Tests.Support;

namespace Auditrail.Detection.Tests.Conditions;

/// <summary>
/// CEL conditions over real audit events from the corpus, through the catalog binding. Expected counts
/// were computed independently with a JSON script over the same trace files.
/// </summary>
public class AuditConditionTests
{
    private static readonly string Traces = Events.FalcoTraces;

    private static List<AuditEvent> Read(string path) => Events.ReadPath(path);

    private static CelProgram Compile(CelEnvironment environment, string condition)
    {
        var compiled = environment.Compile(condition);
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        return compiled.Program!;
    }

    private static int CountMatches(string condition, string path)
    {
        var environment = AuditCelEnvironment.Create();
        var program = Compile(environment, condition);
        var activation = new AuditEventActivation(environment);
        return Read(path).Count(e => program.Evaluate(activation.Reset(e)).IsTrue);
    }

    [Theory]
    [InlineData("verb == 'create' && objectRef.resource == 'pods'", 12)]
    [InlineData("verb in ['delete', 'deletecollection']", 9)]
    [InlineData("objectRef.subresource in ['exec', 'attach']", 2)]
    [InlineData("identity.kind == 'serviceaccount'", 10)]
    [InlineData("identity.kind == 'anonymous'", 1)]
    [InlineData("has(objectRef.namespace) && objectRef.namespace == 'kube-system'", 3)]
    [InlineData("objectRef.resource == 'pods' && requestObject.spec.containers.exists(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged)", 3)]
    [InlineData("objectRef.resource == 'pods' && requestObject.spec.hostNetwork == true", 1)]
    [InlineData("objectRef.resource == 'pods' && requestObject.spec.volumes.exists(v, has(v.hostPath) && v.hostPath.path.startsWith('/etc'))", 2)]
    [InlineData("user.groups.exists(g, g == 'system:masters')", 39)]
    [InlineData("responseStatus.code >= 200 && responseStatus.code < 300 && readOnly == false", 48)]
    public void Conditions_match_the_falco_traces(string condition, int expected)
    {
        Assert.Equal(expected, CountMatches(condition, Traces));
    }

    [Fact]
    public void A_field_the_event_lacks_makes_the_comparison_no_match_not_an_exception()
    {
        Assert.Equal(0, CountMatches("objectRef.subresource == 'nosuch' || requestObject.nosuch.deeper == 1", Traces));
    }

    [Fact]
    public void Unknown_fields_and_type_errors_are_compile_errors()
    {
        var environment = AuditCelEnvironment.Create();

        var result = environment.Compile("verbb == 'get' || responseStatus.code == 'x'");

        Assert.Equal(2, result.Diagnostics.Count);
        Assert.Contains("undeclared reference to 'verbb'", result.Diagnostics[0].Message);
        Assert.Contains("no matching overload", result.Diagnostics[1].Message);
    }

    [Fact]
    public void Comparing_string_fields_with_literals_allocates_nothing()
    {
        var environment = AuditCelEnvironment.Create();
        var program = Compile(environment, "verb == 'create' && objectRef.resource in ['pods', 'deployments', 'daemonsets'] && objectRef.namespace != 'kube-system'");
        var activation = new AuditEventActivation(environment);
        var events = Read(Traces);
        foreach (var e in events)
        {
            program.Evaluate(activation.Reset(e));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matches = 0;
        for (var round = 0; round < 100; round++)
        {
            foreach (var e in events)
            {
                matches += program.Evaluate(activation.Reset(e)).IsTrue ? 1 : 0;
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(matches > 0);
    }
}
