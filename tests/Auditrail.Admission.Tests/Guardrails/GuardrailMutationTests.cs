using System.Text.Json.Nodes;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.Support;

namespace Auditrail.Admission.Tests.Guardrails;

/// <summary>Mutations become RFC 6902 patches that apply to the object as it is.</summary>
public sealed class GuardrailMutationTests
{
    private static (List<JsonPatchOperation> Patch, List<AdmissionFinding> Findings, JsonNode Patched) Mutate(string spec, string objectJson, AdmissionContext? context = null)
    {
        var set = Requests.Guardrails(Requests.Guardrail("m", spec));
        var request = Requests.Pod(objectJson);
        var result = new AdmissionCheckResult();
        set.Guardrails[0].Mutate(request, context ?? Requests.Namespaces(), result);
        var patched = JsonNode.Parse(JsonPatch.Apply(request.Object!.Value, result.Patch).GetRawText())!;
        return (result.Patch, result.Findings, patched);
    }

    [Fact]
    public void Labels_on_an_object_without_labels_add_the_map_then_each_key_with_escaped_pointers()
    {
        var (patch, _, patched) = Mutate("""
              mutations:
                - addLabels:
                    - {key: example.com/team, value: web}
                    - {key: tier, value: "1"}
                  setDefaults:
                    - {path: "spec['odd~field/name']", value: 2}
            """, """{"kind":"Pod","metadata":{"name":"p"},"spec":{}}""");

        Assert.Equal(
            [("add", "/metadata/labels"), ("add", "/metadata/labels/tier"), ("add", "/spec/odd~0field~1name")],
            patch.Select(p => (p.Op, p.Path)));
        Assert.Equal("""{"example.com/team":"web"}""", patch[0].Value!.ToJsonString());
        Assert.Equal("web", (string?)patched["metadata"]!["labels"]!["example.com/team"]);
        Assert.Equal("1", (string?)patched["metadata"]!["labels"]!["tier"]);
        Assert.Equal(2, (int)patched["spec"]!["odd~field/name"]!);
    }

    [Fact]
    public void An_object_without_metadata_gets_the_whole_path()
    {
        var (patch, _, patched) = Mutate("""
              mutations:
                - addAnnotations: [{key: a/b, value: c}]
            """, """{"kind":"Pod"}""");

        Assert.Equal(("add", "/metadata"), (patch[0].Op, patch[0].Path));
        Assert.Equal("c", (string?)patched["metadata"]!["annotations"]!["a/b"]);
    }

    [Fact]
    public void Existing_labels_are_kept_unless_overwrite_and_equal_values_make_no_operation()
    {
        var (patch, _, patched) = Mutate("""
              mutations:
                - addLabels:
                    - {key: keep, value: new}
                    - {key: replace, value: new, overwrite: true}
                    - {key: same, value: v, overwrite: true}
                    - {key: added, value: x}
            """, """{"kind":"Pod","metadata":{"labels":{"keep":"old","replace":"old","same":"v"}}}""");

        Assert.Equal([("replace", "/metadata/labels/replace"), ("add", "/metadata/labels/added")], patch.Select(p => (p.Op, p.Path)));
        Assert.Equal("old", (string?)patched["metadata"]!["labels"]!["keep"]);
        Assert.Equal("new", (string?)patched["metadata"]!["labels"]!["replace"]);
    }

    [Fact]
    public void Label_values_are_copied_from_the_namespace_when_present()
    {
        const string Spec = """
              mutations:
                - condition: namespaceObject != null
                  addLabels:
                    - {key: owner, valueExpression: "namespaceObject.metadata.?labels[?'owner']"}
                    - {key: cost-center, valueExpression: "namespaceObject.metadata.?labels[?'cost-center']"}
                    - {key: replicas, valueExpression: "3"}
            """;
        var context = Requests.Namespaces(("team-a", """{"owner":"alice"}"""));

        var (_, findings, patched) = Mutate(Spec, """{"kind":"Pod","metadata":{"name":"p"}}""", context);

        Assert.Empty(findings);
        Assert.Equal("""{"owner":"alice","replicas":"3"}""", patched["metadata"]!["labels"]!.ToJsonString());
        Assert.Empty(Mutate(Spec, """{"kind":"Pod","metadata":{}}""").Patch);
    }

    [Fact]
    public void A_computed_value_that_is_not_a_valid_label_value_is_a_warning_not_a_label()
    {
        var (patch, findings, _) = Mutate("""
              mutations:
                - id: bad
                  addLabels: [{key: l, valueExpression: "'has spaces'"}, {key: m, valueExpression: "[1]"}]
            """, """{"kind":"Pod","metadata":{}}""");

        Assert.Empty(patch);
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal((FindingAction.Warn, "bad"), (f.Action, f.CheckId)));
    }

    [Fact]
    public void Defaults_go_into_every_container_only_where_absent()
    {
        var (patch, _, patched) = Mutate("""
              mutations:
                - setDefaults:
                    - path: spec.containers[*].securityContext.allowPrivilegeEscalation
                      value: false
                    - path: spec.initContainers[*].securityContext.runAsNonRoot
                      value: true
                    - path: spec.securityContext['seccompProfile'].type
                      value: RuntimeDefault
            """, """
            {"kind":"Pod","metadata":{},"spec":{"containers":[
              {"name":"a"},
              {"name":"b","securityContext":{"runAsUser":5}},
              {"name":"c","securityContext":{"allowPrivilegeEscalation":true}}]}}
            """);

        Assert.Equal(
            [("add", "/spec/containers/0/securityContext"), ("add", "/spec/containers/1/securityContext/allowPrivilegeEscalation"), ("add", "/spec/securityContext")],
            patch.Select(p => (p.Op, p.Path)));
        var containers = patched["spec"]!["containers"]!.AsArray();
        Assert.False((bool)containers[0]!["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.Equal(5, (int)containers[1]!["securityContext"]!["runAsUser"]!);
        Assert.True((bool)containers[2]!["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.Equal("RuntimeDefault", (string?)patched["spec"]!["securityContext"]!["seccompProfile"]!["type"]);
    }

    [Fact]
    public void A_default_computed_by_CEL_is_written_as_JSON()
    {
        var (_, _, patched) = Mutate("""
              mutations:
                - setDefaults:
                    - path: metadata.annotations['sizes']
                      valueExpression: "{'containers': size(object.spec.containers), 'names': object.spec.containers.map(c, c.name)}"
            """, """{"kind":"Pod","metadata":{},"spec":{"containers":[{"name":"a"}]}}""");

        Assert.Equal("""{"containers":1,"names":["a"]}""", patched["metadata"]!["annotations"]!["sizes"]!.ToJsonString());
    }

    [Fact]
    public void A_false_condition_skips_the_mutation_and_an_erroring_one_is_a_finding()
    {
        var skipped = Mutate("""
              mutations:
                - condition: "object.metadata.name == 'other'"
                  addLabels: [{key: a, value: b}]
            """, """{"kind":"Pod","metadata":{"name":"p"}}""");
        Assert.Empty(skipped.Patch);
        Assert.Empty(skipped.Findings);

        var failed = Mutate("""
              mutations:
                - id: reads-missing
                  condition: object.spec.missing == 1
                  addLabels: [{key: a, value: b}]
            """, """{"kind":"Pod","metadata":{"name":"p"}}""");
        Assert.Empty(failed.Patch);
        Assert.Equal((FindingAction.Deny, "reads-missing"), (Assert.Single(failed.Findings).Action, failed.Findings[0].CheckId));
    }
}
