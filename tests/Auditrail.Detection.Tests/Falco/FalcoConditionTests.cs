using Auditrail.Core.Model;
using Auditrail.Detection.Tests.Support;
using static Auditrail.Detection.Tests.Support.FalcoRules;

namespace Auditrail.Detection.Tests.Falco;

/// <summary>
/// Falco conditions translated to CEL keep Falco's meaning: each operator, list fields, transformers,
/// precedence, and above all that a field the event lacks makes a check false (never an error).
/// </summary>
public class FalcoConditionTests
{
    /// <summary>A pod create with two containers, an init container, ports, volumes and a query string.</summary>
    internal static readonly AuditEvent Pod = Events.ReadText("""
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a1","stage":"ResponseComplete",
         "requestURI":"/api/v1/namespaces/default/pods?command=sh&command=-c&dryRun=All","verb":"create",
         "user":{"username":"Alice@Example.com","groups":["dev","system:authenticated"]},
         "impersonatedUser":{"username":"bob"},
         "sourceIPs":["10.0.0.1"],"userAgent":"kubectl/v1.30.2",
         "objectRef":{"resource":"pods","namespace":"default","name":"web","apiVersion":"v1"},
         "responseStatus":{"metadata":{},"code":201},
         "requestObject":{"kind":"Pod","spec":{"hostNetwork":true,"securityContext":{"runAsUser":1000},
           "containers":[
             {"name":"app","image":"registry.local:5000/team/app:1.2","command":["sh","-c"],
              "securityContext":{"privileged":true,"runAsUser":0,"capabilities":{"add":["NET_ADMIN","SYS_TIME"]}},
              "ports":[{"containerPort":80,"hostPort":8080},{"containerPort":443}]},
             {"name":"Side","image":"nginx@sha256:abc","ports":[{"name":"metrics"}]}],
           "initContainers":[{"name":"init","image":"busybox:1","securityContext":{"privileged":true}}],
           "volumes":[{"name":"proc","hostPath":{"path":"/proc/sys"}},{"name":"cfg","configMap":{"name":"c"}}]}},
         "responseObject":{"metadata":{"name":"web"}},
         "requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:00:00.500000Z",
         "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed"}}
        """).Single();

    [Theory]
    [InlineData("ka.verb = create", true)]
    [InlineData("ka.verb == create", true)]
    [InlineData("ka.verb=delete", false)]
    [InlineData("ka.verb != create", false)]
    [InlineData("ka.response.code startswith 2", true)]
    [InlineData("ka.response.code = 201", true)]
    [InlineData("ka.response.code >= 400", false)]
    [InlineData("ka.response.code < 3", true)] // strings compare byte by byte: "201" < "3"
    [InlineData("ka.response.code <= 201", true)]
    [InlineData("ka.response.code > 2000", true)]
    [InlineData("ka.user.name contains Example", true)]
    [InlineData("ka.user.name contains example", false)]
    [InlineData("ka.user.name icontains EXAMPLE.com", true)]
    [InlineData("ka.user.name startswith Alice", true)]
    [InlineData("ka.user.name endswith .com", true)]
    [InlineData("ka.uri glob \"/api/*/pods?*\"", true)]
    [InlineData("ka.uri glob \"/api/v1/namespaces/[d]efault/*\"", true)]
    [InlineData("ka.uri glob \"/api/v1\"", false)]
    [InlineData("ka.user.name iglob \"alice@*\"", true)]
    [InlineData("ka.user.name regex \"[A-Z][a-z]+@.*\"", true)]
    [InlineData("ka.user.name regex \"lice\"", false)] // anchored at both ends, as RE2 full match
    [InlineData("ka.target.resource in (pods, deployments)", true)]
    [InlineData("ka.target.resource in (deployments)", false)]
    [InlineData("ka.target.resource intersects (pods)", true)]
    [InlineData("ka.target.resource in ()", false)]
    [InlineData("jevt.value[/requestObject/spec/volumes/0/hostPath/path] pmatch (/proc)", true)]
    [InlineData("jevt.value[/requestObject/spec/volumes/0/hostPath/path] pmatch (/pro, /etc)", false)]
    [InlineData("ka.verb bcontains 637265", true)] // "cre"
    [InlineData("ka.target.name exists", true)]
    [InlineData("ka.target.subresource exists", false)]
    public void Operators_compare_as_Falco_does(string condition, bool expected) => Assert.Equal(expected, Holds(condition, Pod));

    [Theory]
    [InlineData("ka.target.subresource = exec", false)]
    [InlineData("ka.target.subresource != exec", false)]
    [InlineData("not ka.target.subresource = exec", true)]
    [InlineData("not ka.target.subresource in (exec, attach)", true)]
    [InlineData("ka.req.binding.role = admin or ka.verb = create", true)]
    [InlineData("not ka.req.binding.role startswith x and not ka.req.service.type exists", true)]
    [InlineData("not jevt.value[/no/such/pointer] = x", true)]
    [InlineData("not ka.req.pod.ephemeralContainers.image in (x)", true)]
    [InlineData("not ka.req.pod.ephemeralContainers.image intersects (x)", true)]
    [InlineData("not len(ka.target.subresource) > 0", true)]
    public void A_field_the_event_lacks_makes_a_check_false_not_an_error(string condition, bool expected) =>
        Assert.Equal(expected, Holds(condition, Pod));

    [Theory]
    [InlineData("ka.req.pod.containers.image in (\"registry.local:5000/team/app:1.2\", \"nginx@sha256:abc\")", true)]
    [InlineData("ka.req.pod.containers.image in (\"nginx@sha256:abc\")", false)] // in: every value in the set
    [InlineData("ka.req.pod.containers.image intersects (\"nginx@sha256:abc\")", true)] // intersects: one value
    [InlineData("ka.req.pod.containers.image[1] in (\"nginx@sha256:abc\")", true)]
    [InlineData("ka.req.pod.containers.image[5] exists", false)]
    [InlineData("ka.req.pod.containers.image.repository in (registry.local, nginx)", true)] // cut at the first ':' then '@', as the plugin does
    [InlineData("ka.req.pod.containers.name intersects (app)", true)]
    [InlineData("ka.req.pod.containers.privileged intersects (true)", true)]
    [InlineData("ka.req.pod.containers.privileged in (true)", true)] // the second container has none: skipped
    [InlineData("ka.req.pod.initContainers.privileged intersects (true)", true)]
    [InlineData("ka.req.pod.initContainers.image.repository in (busybox)", true)]
    [InlineData("ka.req.pod.ephemeralContainers.privileged intersects (true)", false)]
    [InlineData("ka.req.pod.containers.host_port in (8080, 443)", true)] // hostPort, else containerPort
    [InlineData("ka.req.pod.containers.add_capabilities intersects (SYS_TIME)", true)]
    [InlineData("ka.req.pod.containers.command intersects (\"-c\")", true)]
    [InlineData("ka.req.pod.containers.run_as_user in (0)", true)]
    [InlineData("ka.req.pod.containers.eff_run_as_user in (0, 1000)", true)] // the second container runs as the pod's user
    [InlineData("ka.req.pod.containers.eff_run_as_user intersects (1000)", true)]
    [InlineData("ka.req.pod.run_as_user = 1000", true)]
    [InlineData("ka.req.pod.volumes.hostpath intersects (/proc/sys)", true)]
    [InlineData("ka.req.pod.volumes.volume_type in (hostPath, configMap)", true)]
    [InlineData("ka.req.volume.hostpath[/proc*] = true", true)]
    [InlineData("ka.req.volume.hostpath[/etc] = false", true)]
    [InlineData("ka.req.pod.host_network = true", true)]
    [InlineData("ka.req.pod.host_network intersects (true)", true)]
    [InlineData("ka.req.container.privileged = true", true)]
    [InlineData("ka.req.container.image = \"registry.local:5000/team/app:1.2\"", true)]
    [InlineData("ka.req.container.image.repository = registry.local", true)]
    [InlineData("ka.user.groups intersects (dev)", true)]
    [InlineData("ka.user.groups in (dev)", false)]
    [InlineData("ka.sourceips in (10.0.0.1)", true)]
    [InlineData("ka.uri.param[command] = sh", true)] // the first value
    [InlineData("ka.uri.param[dryRun] = All", true)]
    [InlineData("ka.uri.param[missing] exists", false)]
    [InlineData("ka.auth.decision = allow", true)]
    [InlineData("ka.auth.reason startswith RBAC", true)]
    [InlineData("ka.resp.name = web", true)]
    [InlineData("ka.impuser.name = bob", true)]
    [InlineData("ka.useragent startswith kubectl", true)]
    [InlineData("jevt.value[/requestObject/spec/securityContext] = '{\"runAsUser\":1000}'", true)] // compact JSON text
    [InlineData("jevt.value[/annotations/authorization.k8s.io~1decision] = allow", true)]
    [InlineData("jevt.value[/stage] in (ResponseComplete)", true)]
    [InlineData("json.value[/responseStatus/code] = 201", true)]
    [InlineData("jevt.rawtime exists", true)]
    [InlineData("jevt.rawtime = 0", false)]
    [InlineData("jevt.rawtime = 1704067200500000000", true)]
    [InlineData("jevt.obj contains '\"auditID\":\"a1\"'", true)]
    public void Fields_read_what_the_k8saudit_plugin_reads(string condition, bool expected) => Assert.Equal(expected, Holds(condition, Pod));

    [Theory]
    [InlineData("tolower(ka.user.name) = alice@example.com", true)]
    [InlineData("toupper(ka.verb) = CREATE", true)]
    [InlineData("tolower(toupper(ka.verb)) = create", true)]
    [InlineData("tolower(ka.req.pod.containers.name) intersects (side)", true)]
    [InlineData("len(ka.verb) = 6", true)]
    [InlineData("len(ka.verb) > 6", false)]
    [InlineData("len(ka.req.pod.containers.image) = 2", true)]
    [InlineData("len(ka.resp.name) in (1, 3)", true)]
    [InlineData("ka.target.name = val(ka.resp.name)", true)]
    [InlineData("ka.user.name = val(ka.impuser.name)", false)]
    [InlineData("ka.verb = val(ka.target.subresource)", false)]
    [InlineData("ka.resp.name startswith val(ka.target.name)", true)]
    [InlineData("tolower(ka.user.name) startswith tolower(ka.user.name)", true)]
    public void Transformers_and_field_comparisons(string condition, bool expected) => Assert.Equal(expected, Holds(condition, Pod));

    [Theory]
    [InlineData("ka.verb = delete or ka.verb = create and ka.target.resource = pods", true)] // and binds tighter than or
    [InlineData("(ka.verb = delete or ka.verb = create) and ka.target.resource = secrets", false)]
    [InlineData("ka.verb = create or ka.verb = delete and ka.target.resource = secrets", true)]
    [InlineData("not ka.verb = delete and ka.verb = create", true)] // not binds tighter than and
    [InlineData("not (ka.verb = create and ka.target.resource = pods)", false)]
    [InlineData("not not ka.verb = create", true)]
    [InlineData("not(ka.verb = delete)", true)]
    [InlineData("ka.verb=create and(ka.target.resource=pods)", true)]
    public void Precedence_is_or_then_and_then_not(string condition, bool expected) => Assert.Equal(expected, Holds(condition, Pod));

    private const string Prelude = """
        - list: read_verbs
          items: [get, list]
        - list: write_verbs
          items: [create, update, read_verbs]
        - macro: writing
          condition: ka.verb in (write_verbs)
        - macro: writing_pods
          condition: writing and ka.target.resource = pods
        """;

    [Theory]
    [InlineData("writing_pods", true)]
    [InlineData("not writing", false)]
    [InlineData("ka.verb in (read_verbs)", false)]
    [InlineData("ka.verb in (read_verbs, create)", true)]
    [InlineData("ka.verb in (\"write_verbs\")", false)] // a quoted name is a value, not the list
    [InlineData("ka.verb in write_verbs", true)]
    public void Macros_and_lists_are_referenced_by_name(string condition, bool expected) => Assert.Equal(expected, Holds(condition, Pod, Prelude));

    [Fact]
    public void A_list_naming_an_earlier_list_holds_its_items()
    {
        var pack = Translate(Rule("writing", Prelude)).Pack;
        Assert.Equal(["create", "update", "get", "list"], pack.Lists.Single(l => l.Name == "write_verbs").Items);
        Assert.Contains("write_verbs", pack.Macros.Single(m => m.Name == "writing").Condition, StringComparison.Ordinal);
    }

    [Fact]
    public void Macros_and_lists_whose_names_CEL_reserves_or_the_catalog_uses_are_renamed()
    {
        var translation = Translate(Rule("namespace and verb", """
            - macro: namespace
              condition: ka.target.resource = namespaces
            - macro: verb
              condition: ka.verb = create
            """));
        Assert.Equal(["namespace_macro", "verb_macro"], translation.Pack.Macros.Select(m => m.Name));
        Assert.Equal("namespace_macro && verb_macro", translation.Pack.Rules.Single().Condition);
        Assert.False(Holds("namespace and verb", Pod, "- macro: namespace\n  condition: ka.target.resource = namespaces\n- macro: verb\n  condition: ka.verb = create\n"));
    }

    [Fact]
    public void The_translation_reads_like_the_original()
    {
        var condition = Translate(Rule("ka.verb = create and ka.target.resource = pods and not ka.target.subresource exists")).Pack.Rules.Single().Condition;
        Assert.Equal("verb == \"create\" && has(objectRef.resource) && objectRef.resource == \"pods\" && !has(objectRef.subresource)", condition);
    }

    [Fact]
    public void Rules_are_indexed_on_the_stage_verb_and_resource_their_conditions_pin()
    {
        var set = Compile(Translate(Rule("jevt.value[/stage] in (k8s_audit_stages) and ka.verb = create and ka.target.resource = pods", "- list: k8s_audit_stages\n  items: [ResponseComplete]\n")));
        var key = set.Rules.Single().IndexKey;
        Assert.Equal([AuditStage.ResponseComplete], key.Stages);
        Assert.Equal(["create"], key.Verbs!);
        Assert.Equal(["pods"], key.Resources!);
    }
}
