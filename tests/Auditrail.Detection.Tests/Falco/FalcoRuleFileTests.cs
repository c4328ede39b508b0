using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Tests.Support;
using static Auditrail.Detection.Tests.Support.FalcoRules;

namespace Auditrail.Detection.Tests.Falco;

/// <summary>
/// Falco rule files as Falco's loader reads them: appends and overrides across files, exceptions
/// with their comparisons, outputs, priorities, and every item that cannot be translated reported
/// at its file:line while the rest loads.
/// </summary>
public class FalcoRuleFileTests
{
    private static readonly Core.Model.AuditEvent Pod = FalcoConditionTests.Pod;

    private const string Base = """
        - list: users
          items: [alice]
        - macro: writing
          condition: ka.verb = update
        - rule: Writes
          desc: writes
          condition: writing
          output: "%ka.user.name wrote %ka.target.name"
          priority: WARNING
          source: k8s_audit
          tags: [k8s]
        """;

    private static bool Fires(RuleSet set, string rule = "Writes")
    {
        var alerts = new List<Alert>();
        new DetectionEngine(set).Process(Pod, alerts.Add);
        return alerts.Any(a => a.Rule == rule);
    }

    [Fact]
    public void Appending_to_a_macro_joins_the_text_as_Falco_does()
    {
        // Falco appends "or ka.verb = create" to "ka.verb = update" with a space.
        var set = Compile(Translate(Base, "- macro: writing\n  condition: or ka.verb = create\n  append: true\n"));
        Assert.True(Fires(set));
    }

    [Fact]
    public void Overriding_a_macro_condition_with_append_or_replace()
    {
        Assert.True(Fires(Compile(Translate(Base, "- macro: writing\n  condition: or ka.verb = create\n  override:\n    condition: append\n"))));
        Assert.True(Fires(Compile(Translate(Base, "- macro: writing\n  condition: ka.verb = create\n  override:\n    condition: replace\n"))));
    }

    [Fact]
    public void Appending_to_a_rule_narrows_its_condition()
    {
        Assert.True(Fires(Compile(Translate(Base, "- macro: writing\n  condition: ka.verb = create\n"))));
        Assert.False(Fires(Compile(Translate(Base, "- macro: writing\n  condition: ka.verb = create\n", "- rule: Writes\n  condition: and ka.target.name = other\n  append: true\n"))));
    }

    [Fact]
    public void A_later_definition_replaces_and_enabled_alone_switches_a_rule()
    {
        var replaced = Translate(Base, "- rule: Writes\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: ERROR\n  source: k8s_audit\n");
        Assert.True(Fires(Compile(replaced)));
        Assert.Equal(Severity.High, replaced.Pack.Rules.Single().Severity);
        var disabled = Translate(Base, "- rule: Writes\n  enabled: false\n");
        Assert.False(disabled.Pack.Rules.Single().Enabled);
        Assert.False(Translate(Base, "- rule: Writes\n  enabled: false\n  override:\n    enabled: replace\n").Pack.Rules.Single().Enabled);
    }

    [Fact]
    public void Lists_append_through_append_or_override()
    {
        Assert.Equal(["alice", "bob"], Translate(Base, "- list: users\n  items: [bob]\n  append: true\n").Pack.Lists.Single().Items);
        Assert.Equal(["alice", "bob"], Translate(Base, "- list: users\n  items: [bob]\n  override:\n    items: append\n").Pack.Lists.Single().Items);
        Assert.Equal(["bob"], Translate(Base, "- list: users\n  items: [bob]\n  override:\n    items: replace\n").Pack.Lists.Single().Items);
    }

    [Theory]
    [InlineData("EMERGENCY", Severity.Critical)]
    [InlineData("alert", Severity.Critical)]
    [InlineData("Critical", Severity.Critical)]
    [InlineData("ERROR", Severity.High)]
    [InlineData("WARNING", Severity.Medium)]
    [InlineData("NOTICE", Severity.Low)]
    [InlineData("INFO", Severity.Info)]
    [InlineData("informational", Severity.Info)]
    [InlineData("DEBUG", Severity.Info)]
    public void Priorities_map_to_severities(string priority, Severity severity)
    {
        var translation = Translate($"- rule: r\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: {priority}\n  source: k8s_audit\n");
        Assert.Equal(severity, translation.Pack.Rules.Single().Severity);
        Assert.Equal(Detection.Falco.FalcoPriorities.Normalize(priority), translation.Priorities["r"]);
    }

    [Fact]
    public void An_exception_on_catalog_fields_stays_an_exception_with_its_comparisons()
    {
        var translation = Translate(Base.Replace("writing\n", "ka.verb = create\n", StringComparison.Ordinal), """
            - rule: Writes
              exceptions:
                - name: example-users
                  fields: [ka.user.name, ka.target.namespace]
                  comps: [endswith, in]
                  values:
                    - ["@Example.com", default]
              override:
                exceptions: append
            """);
        var exception = translation.Pack.Rules.Single().Exceptions.Single();
        Assert.Equal(["user.username", "objectRef.namespace"], exception.Fields);
        Assert.Equal(["endswith", "in"], exception.Comps!);
        Assert.False(Fires(Compile(translation)));
    }

    [Fact]
    public void A_single_field_exception_lists_its_values()
    {
        var translation = Translate(Base.Replace("writing\n", "ka.verb = create\n", StringComparison.Ordinal), """
            - rule: Writes
              exceptions:
                - name: namespaces
                  fields: ka.target.namespace
                  values: [kube-system, default]
              override:
                exceptions: append
            """);
        Assert.False(Fires(Compile(translation)));
        Assert.Equal(["objectRef.namespace"], translation.Pack.Rules.Single().Exceptions.Single().Fields);
    }

    [Theory]
    [InlineData("[ka.req.pod.containers.image.repository]", "[in]", "[[registry.local]]", true)] // a list field: folded into the condition
    [InlineData("[ka.req.pod.containers.image.repository]", "[intersects]", "[[nginx]]", false)]
    [InlineData("[ka.target.namespace, ka.verb]", "[in, in]", "[[[kube-system, default], [create, update]]]", false)] // values that are lists
    [InlineData("[ka.target.namespace]", "[in]", "[[trusted]]", false)] // a list name: expanded like Falco does
    [InlineData("[ka.target.namespace]", "[in]", "[[other]]", true)]
    [InlineData("[\"jevt.value[/requestObject/spec/volumes/0/hostPath/path]\"]", "[pmatch]", "[[/proc]]", false)]
    [InlineData("[ka.user.name]", "[icontains]", "[[example]]", false)]
    [InlineData("[ka.user.name]", "[glob]", "[[\"*@Example.com\"]]", false)]
    [InlineData("[ka.user.name]", "[\"!=\"]", "[[bob]]", false)]
    public void Exceptions_keep_Falco_semantics_whether_kept_or_folded(string fields, string comps, string values, bool fires)
    {
        var translation = Translate(
            "- list: trusted\n  items: [kube-system, default]\n" + Base.Replace("writing\n", "ka.verb = create\n", StringComparison.Ordinal),
            $"- rule: Writes\n  exceptions:\n    - name: e\n      fields: {fields}\n      comps: {comps}\n      values: {values}\n  override:\n    exceptions: append\n");
        Assert.Equal(fires, Fires(Compile(translation)));
    }

    [Fact]
    public void A_single_field_exception_naming_a_list_checks_its_items()
    {
        var translation = Translate(
            "- list: trusted\n  items: [default]\n" + Base.Replace("writing\n", "ka.verb = create\n", StringComparison.Ordinal),
            "- rule: Writes\n  exceptions:\n    - name: ns\n      fields: ka.target.namespace\n      values: [trusted]\n  override:\n    exceptions: append\n");
        Assert.Empty(translation.Pack.Rules.Single().Exceptions);
        Assert.False(Fires(Compile(translation)));
    }

    [Fact]
    public void Appended_exception_values_join_the_exception_of_that_name()
    {
        var translation = Translate(
            Base.Replace("writing\n", "ka.verb = create\n", StringComparison.Ordinal).Replace("  tags: [k8s]", "  tags: [k8s]\n  exceptions:\n    - name: ns\n      fields: [ka.target.namespace]\n      values: [[kube-system]]", StringComparison.Ordinal),
            "- rule: Writes\n  exceptions:\n    - name: ns\n      values: [[default]]\n  append: true\n");
        Assert.Equal([["kube-system"], ["default"]], translation.Pack.Rules.Single().Exceptions.Single().Values);
        Assert.False(Fires(Compile(translation)));
    }

    [Fact]
    public void Outputs_become_templates_that_render_like_Falco()
    {
        var translation = Translate("""
            - rule: r
              desc: d
              condition: ka.verb = create
              output: >
                user=%ka.user.name code=%ka.response.code images=%ka.req.pod.containers.image
                first=%ka.req.pod.containers.image[0] cmd=%ka.uri.param[command] sub=%ka.target.subresource
                decision=%ka.auth.decision spec=%jevt.value[/requestObject/spec/securityContext] 100%.
              priority: INFO
              source: k8s_audit
            """);
        var alerts = new List<Alert>();
        new DetectionEngine(Compile(translation)).Process(Pod, alerts.Add);
        Assert.Equal(
            "user=Alice@Example.com code=201 images=registry.local:5000/team/app:1.2,nginx@sha256:abc first=registry.local:5000/team/app:1.2 cmd=sh sub=<NA> "
            + "decision=allow spec={\"runAsUser\":1000} 100%.",
            alerts.Single().Message);
    }

    [Theory]
    [InlineData("%ka.target.name.x", "web.x")] // the longest known field, as Falco reads it
    [InlineData("(%ka.verb)", "(create)")]
    [InlineData("%ka.req.binding.subject.has_name[cluster-admin]", "true")]
    [InlineData("%ka.req.pod.volumes.volume_type", "hostPath,configMap")]
    [InlineData("%ka.req.pod.containers.eff_run_as_user", "0,1000")]
    [InlineData("%jevt.rawtime", "1704067200500000000")]
    [InlineData("50% done", "50% done")]
    public void Output_fields_end_where_Falco_ends_them(string output, string message)
    {
        var translation = Translate($"- rule: r\n  desc: d\n  condition: ka.verb = create\n  output: \"{output}\"\n  priority: INFO\n  source: k8s_audit\n");
        var alerts = new List<Alert>();
        new DetectionEngine(Compile(translation)).Process(Pod, alerts.Add);
        Assert.Equal(message, alerts.Single().Message);
    }

    [Fact]
    public void Rules_consider_every_stage_yet_one_request_alerts_once()
    {
        // Falco alerts on each matching event; like every rule here, a translated one alerts once per
        // request (auditID), however many stages of it match. Falco's traces repeat no request.
        var translation = Translate("- rule: r\n  desc: d\n  condition: ka.target.subresource in (portforward)\n  output: o\n  priority: INFO\n  source: k8s_audit\n");
        Assert.Equal(4, translation.Pack.Rules.Single().Stages.Count);
        var stages = Events.ReadText("""
            {"auditID":"pf","stage":"ResponseStarted","verb":"create","requestURI":"/x","objectRef":{"resource":"pods","name":"p","subresource":"portforward"}}
            {"auditID":"pf","stage":"ResponseComplete","verb":"create","requestURI":"/x","objectRef":{"resource":"pods","name":"p","subresource":"portforward"}}
            """);
        var alerts = new List<Alert>();
        var engine = new DetectionEngine(Compile(translation));
        stages.ForEach(e => engine.Process(e, alerts.Add));
        Assert.Single(alerts);
    }

    [Theory]
    [InlineData("- rule: r\n  desc: d\n  condition: ka.verb = create and nope\n  output: o\n  priority: INFO\n  source: k8s_audit\n", 3, 35, "undefined macro 'nope'")]
    [InlineData("- rule: r\n  desc: d\n  condition: |\n    ka.verb = create and\n    ka.nope = x\n  output: o\n  priority: INFO\n  source: k8s_audit\n", 5, 0, "unknown field 'ka.nope'")]
    [InlineData("- rule: r\n  desc: d\n  condition: ka.verb = create and\n  output: o\n  priority: INFO\n  source: k8s_audit\n", 3, 0, "after 'and'")]
    [InlineData("- rule: r\n  desc: d\n  condition: ka.req.role.rules.verbs = get\n  output: o\n  priority: INFO\n  source: k8s_audit\n", 3, 14, "list field")]
    [InlineData("- rule: r\n  desc: d\n  condition: ka.verb = create\n  output: \"%ka.nope\"\n  priority: INFO\n  source: k8s_audit\n", 4, 0, "unknown field %ka.nope")]
    [InlineData("- rule: r\n  desc: d\n  condition: proc.name = sh\n  output: o\n  priority: INFO\n", 1, 3, "source 'syscall'")]
    [InlineData("- rule: r\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: LOUD\n  source: k8s_audit\n", 1, 3, "needs a priority")]
    [InlineData("- macro: m\n  condition: ka.verb = = create\n", 2, 0, "macro 'm' not translated")]
    [InlineData("- rule: r\n  condition: and ka.verb = create\n  append: true\n", 1, 3, "never defined")]
    [InlineData("- rule: r\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: INFO\n  source: k8s_audit\n  exceptions:\n    - name: e\n      fields: [ka.verb, ka.target.name]\n      values: [[create]]\n", 8, 7, "one per field")]
    [InlineData("- rule: r\n  desc: d\n  condition: tolower(ka.verb = x\n  output: o\n  priority: INFO\n  source: k8s_audit\n", 3, 0, "expected ')'")]
    public void An_item_that_cannot_be_translated_is_reported_at_its_file_and_line(string yaml, int line, int column, string reason)
    {
        var translation = Translate("- rule: ok\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: INFO\n  source: k8s_audit\n", yaml);
        var problem = Assert.Single(translation.Diagnostics, d => d.Code == RuleCodes.FalcoUntranslated);
        Assert.Equal("falco2.yaml", problem.File);
        Assert.Equal(line, problem.Line);
        if (column > 0)
        {
            Assert.Equal(column, problem.Column);
        }

        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);

        // The rest still loads.
        Assert.Contains(translation.Pack.Rules, r => r.Name == "ok");
    }

    [Fact]
    public void A_rule_using_an_untranslated_macro_says_which()
    {
        var translation = Translate("- macro: m\n  condition: proc.name = sh\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: INFO\n  source: k8s_audit\n");
        Assert.Contains(translation.Diagnostics, d => d.Message.Contains("uses macro 'm', which was not translated", StringComparison.Ordinal) && d.Line == 5);
        Assert.Empty(translation.Pack.Rules);
    }

    [Fact]
    public void Appending_to_a_list_never_defined_starts_it_empty_with_a_note()
    {
        var translation = Translate("- list: falco_privileged_images\n  items: [nginx]\n  append: true\n");
        Assert.Equal(["nginx"], translation.Pack.Lists.Single().Items);
        Assert.Contains(translation.Diagnostics, d => d.Code == RuleCodes.FalcoNote && d.IsWarning);
        Assert.Equal(0, translation.Untranslated);
    }
}
