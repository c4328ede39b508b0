using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Tests.Guardrails;

/// <summary>Loading guardrail documents: every problem placed at file:line:column with its code, the other documents still load.</summary>
public sealed class GuardrailLoaderTests
{
    private const string Good = """
        apiVersion: auditrail.io/v1alpha1
        kind: Guardrail
        metadata: {name: good}
        spec:
          action: warn
          failurePolicy: Ignore
          severity: high
          category: Testing
          match:
            kinds: [Pod, apps/v1/Deployment, v1/ConfigMap]
            operations: [CREATE]
            namespaces: [a]
            excludeNamespaces: [kube-system]
            namespaceSelector:
              matchLabels: {tier: web}
              matchExpressions:
                - {key: env, operator: In, values: [prod]}
            users: [alice]
            groups: [devs]
          params: {max: 3, names: [x, y], nested: {flag: true}}
          variables:
            - name: replicas
              expression: object.spec.replicas
          validations:
            - id: cap
              expression: variables.replicas <= params.max
              message: too many
              reason: Invalid
          mutations:
            - id: label
              addLabels:
                - {key: team, value: web}
              setDefaults:
                - path: spec.containers[*].securityContext.runAsNonRoot
                  value: true
        """;

    [Fact]
    public void A_complete_document_loads_every_part()
    {
        var loader = new GuardrailLoader();
        loader.LoadText(Good, "g.yaml");

        Assert.Empty(loader.Diagnostics);
        var guardrail = Assert.Single(loader.Guardrails);
        Assert.Equal("good", guardrail.Name);
        Assert.Equal(FindingAction.Warn, guardrail.Action);
        Assert.Equal(FailurePolicy.Ignore, guardrail.FailurePolicy);
        Assert.Equal(["*/*/Pod", "apps/v1/Deployment", "core/v1/ConfigMap"], guardrail.Match.Kinds.Select(k => k.ToString()));
        Assert.Equal([AdmissionOperation.Create], guardrail.Match.Operations);
        Assert.Equal("web", guardrail.Match.NamespaceSelector!.MatchLabels["tier"]);
        Assert.Equal("In", guardrail.Match.NamespaceSelector.MatchExpressions[0].Operator);
        Assert.Equal(3, guardrail.Params!.Value.GetProperty("max").GetInt32());
        Assert.True(guardrail.Params.Value.GetProperty("nested").GetProperty("flag").GetBoolean());
        Assert.Equal("Invalid", guardrail.Validations[0].Reason);
        Assert.Equal(["spec", "containers", "[*]", "securityContext", "runAsNonRoot"], guardrail.Mutations[0].Defaults[0].Path);
    }

    [Fact]
    public void Bare_kinds_take_their_groups_from_apiGroups()
    {
        var loader = new GuardrailLoader();
        loader.LoadText("""
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: g}
            spec:
              match: {kinds: [Deployment], apiGroups: ["", apps]}
              validations: [{expression: "true"}]
            """, "g.yaml");

        Assert.Equal(["core/*/Deployment", "apps/*/Deployment"], loader.Guardrails[0].Match.Kinds.Select(k => k.ToString()));
    }

    [Fact]
    public void Unknown_and_mistyped_fields_are_placed_and_leave_only_that_document_out()
    {
        var loader = new GuardrailLoader();
        loader.LoadText("""
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: broken}
            spec:
              match:
                kinds: Pod
                operation: [CREATE]
              validations:
                - expression: "true"
                  mesage: typo
              action: block
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: fine}
            spec:
              validations: [{expression: "true"}]
            """, "g.yaml");

        var lines = loader.Diagnostics.Select(d => d.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("g.yaml:6:12 error AR5005 'kinds' must be a list", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("g.yaml:7:5 error AR5003 unknown field 'operation' in match", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("g.yaml:10:7 error AR5003 unknown field 'mesage' in validation", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("g.yaml:11:11 error AR5005 'action' is 'block'", StringComparison.Ordinal));
        Assert.Equal("fine", Assert.Single(loader.Guardrails).Name);
    }

    [Fact]
    public void A_YAML_error_is_placed_in_its_document_and_the_documents_around_it_still_load()
    {
        var loader = new GuardrailLoader();
        loader.LoadText("""
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: first}
            spec: {validations: [{expression: "true"}]}
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: broken
            spec: {}
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: third}
            spec: {validations: [{expression: "true"}]}
            """, "g.yaml");

        var diagnostic = Assert.Single(loader.Diagnostics);
        Assert.Equal(AdmissionCodes.YamlSyntax, diagnostic.Code);
        Assert.InRange(diagnostic.Line, 6, 9);
        Assert.Equal(["first", "third"], loader.Guardrails.Select(g => g.Name));
    }

    [Fact]
    public void Other_documents_and_missing_parts_are_reported()
    {
        var loader = new GuardrailLoader();
        loader.LoadText("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: x}
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {}
            spec: {}
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: empty}
            spec: {}
            """, "g.yaml");

        Assert.Contains(loader.Diagnostics, d => d is { Code: AdmissionCodes.UnknownDocument, Line: 1 });
        Assert.Contains(loader.Diagnostics, d => d is { Code: AdmissionCodes.MissingField, Line: 7 } && d.Message.Contains("'name'", StringComparison.Ordinal));
        Assert.Contains(loader.Diagnostics, d => d is { Code: AdmissionCodes.MissingField, Line: 13 } && d.Message.Contains("validations, mutations", StringComparison.Ordinal));
        Assert.Empty(loader.Guardrails);
    }

    [Fact]
    public void Selector_operators_values_label_keys_and_paths_are_validated()
    {
        var loader = new GuardrailLoader();
        loader.LoadText("""
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: g}
            spec:
              match:
                namespaceSelector:
                  matchExpressions:
                    - {key: env, operator: Exists, values: [x]}
                    - {key: env, operator: In}
              mutations:
                - addLabels:
                    - {key: "bad key!", value: x}
                    - {key: ok, value: x, valueExpression: "'y'"}
                  setDefaults:
                    - {path: "spec..x", value: 1}
                    - {path: "spec.containers[*]", value: 1}
            """, "g.yaml");

        var messages = loader.Diagnostics.Select(d => $"{d.Line} {d.Message}").ToList();
        Assert.Contains(messages, m => m.StartsWith("8 operator Exists takes no values", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("9 operator In needs values", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("12 'bad key!' is not a valid label key", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("13 give exactly one of value and valueExpression", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("15 path 'spec..x': empty field name", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("16 path 'spec.containers[*]' must end in a field name", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_names_and_ids_are_reported()
    {
        var loader = new GuardrailLoader();
        loader.LoadText("""
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: g}
            spec:
              validations:
                - {id: a, expression: "true"}
                - {id: a, expression: "false"}
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: h}
            spec: {validations: [{expression: "true"}]}
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: h}
            spec: {validations: [{expression: "true"}]}
            """, "g.yaml");

        Assert.Contains(loader.Diagnostics, d => d is { Code: AdmissionCodes.DuplicateName, Line: 6 } && d.Message.Contains("validation id 'a'", StringComparison.Ordinal));
        Assert.Contains(loader.Diagnostics, d => d is { Code: AdmissionCodes.DuplicateName, Line: 14 });
        Assert.Equal(["h"], loader.Guardrails.Select(g => g.Name));
    }

    [Fact]
    public void CEL_compile_errors_are_placed_at_the_expression_in_the_file()
    {
        var set = GuardrailSet.FromText("""
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: g}
            spec:
              variables:
                - name: v
                  expression: object.spec +
              validations:
                - id: quoted
                  expression: "object.x == undefinedName"
                - id: block
                  expression: |
                    object.a == 1 &&
                      variables.nope == 2
                - id: not-bool
                  expression: "'text'"
            ---
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: ok}
            spec: {validations: [{expression: "true"}]}
            """, "g.yaml");

        var diagnostics = set.Diagnostics.Where(d => d.Code == AdmissionCodes.ExpressionError).ToList();
        Assert.Contains(diagnostics, d => d is { Line: 7 } && d.Message.Contains("variable 'v' does not compile", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d is { Line: 10, Column: 32 } && d.Message.Contains("undefinedName", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d is { Line: 14, Column: 3 } && d.Message.Contains("variables declared before this point: variables.v", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d is { Line: 16 } && d.Message.Contains("not bool", StringComparison.Ordinal));
        Assert.Equal(["ok"], set.Guardrails.Select(g => g.Name));
    }

    [Fact]
    public void A_variable_sees_the_variables_before_it_only()
    {
        var set = GuardrailSet.FromText("""
            apiVersion: auditrail.io/v1alpha1
            kind: Guardrail
            metadata: {name: g}
            spec:
              variables:
                - {name: a, expression: variables.b}
                - {name: b, expression: "1"}
              validations: [{expression: "variables.a == 1"}]
            """, "g.yaml");

        var diagnostic = Assert.Single(set.Diagnostics);
        Assert.Equal(6, diagnostic.Line);
        Assert.Contains("variables declared before this point: none", diagnostic.Message, StringComparison.Ordinal);
        Assert.Empty(set.Guardrails);
    }

    [Fact]
    public void Directories_load_every_yaml_file_in_name_order_and_unreadable_paths_are_reported()
    {
        var dir = Directory.CreateTempSubdirectory("guardrails-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "b.yaml"), Good.Replace("name: good", "name: second", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(dir, "a.yml"), Good);
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "not yaml: [");
            var loader = new GuardrailLoader();
            loader.LoadPath(dir);
            loader.LoadPath(Path.Combine(dir, "missing.yaml"));

            Assert.Equal(["good", "second"], loader.Guardrails.Select(g => g.Name));
            Assert.Equal(AdmissionCodes.YamlSyntax, Assert.Single(loader.Diagnostics).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
