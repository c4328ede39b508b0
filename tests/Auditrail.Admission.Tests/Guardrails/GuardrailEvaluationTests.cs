using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.Support;
using Auditrail.Cel;

namespace Auditrail.Admission.Tests.Guardrails;

/// <summary>Validations: ValidatingAdmissionPolicy's variables, messages, actions and failure policy.</summary>
public sealed class GuardrailEvaluationTests
{
    private static List<AdmissionFinding> Findings(string spec, AdmissionRequest request, AdmissionContext? context = null)
    {
        var set = Requests.Guardrails(Requests.Guardrail("g", spec));
        var result = new AdmissionCheckResult();
        foreach (var guardrail in set.Guardrails)
        {
            guardrail.Validate(request, context ?? Requests.Namespaces(), result);
        }

        return result.Findings;
    }

    private const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"containers":[{"name":"a","image":"x:1"}]}}""";

    [Fact]
    public void Object_request_and_params_are_visible_as_VAP_names_them()
    {
        var findings = Findings("""
              params: {allowedUser: bob, app: web}
              validations:
                - id: user
                  expression: request.userInfo.username == params.allowedUser
                  messageExpression: "'user ' + request.userInfo.username + ' in ' + request.namespace + ' may not ' + request.operation + ' ' + request.kind.kind"
                - id: app
                  expression: object.metadata.labels.app == params.app
                - id: request-fields
                  expression: request.resource.resource == 'pods' && request.name == 'p' && !request.dryRun && 'system:authenticated' in request.userInfo.groups
            """, Requests.Pod(Pod));

        var finding = Assert.Single(findings);
        Assert.Equal(("g", "user", FindingAction.Deny), (finding.Source, finding.CheckId, finding.Action));
        Assert.Equal("user alice in team-a may not CREATE Pod", finding.Message);
    }

    [Fact]
    public void OldObject_is_null_on_create_and_the_previous_object_on_update()
    {
        const string Spec = """
              match: {operations: [CREATE, UPDATE]}
              validations:
                - id: labels-unchanged
                  expression: oldObject == null || oldObject.metadata.labels == object.metadata.labels
            """;

        Assert.Empty(Findings(Spec, Requests.Pod(Pod)));
        Assert.Empty(Findings(Spec, Requests.Pod(Pod, operation: AdmissionOperation.Update, oldJson: Pod)));
        var changed = Pod.Replace("\"web\"", "\"db\"", StringComparison.Ordinal);
        Assert.Single(Findings(Spec, Requests.Pod(changed, operation: AdmissionOperation.Update, oldJson: Pod)));
    }

    [Fact]
    public void NamespaceObject_is_the_namespace_of_the_request_or_null()
    {
        const string Spec = """
              validations:
                - id: tier
                  expression: namespaceObject != null && namespaceObject.metadata.labels.tier == 'gold'
            """;
        var context = Requests.Namespaces(("team-a", """{"tier":"gold"}"""), ("team-b", """{"tier":"silver"}"""));

        Assert.Empty(Findings(Spec, Requests.Pod(Pod, ns: "team-a"), context));
        Assert.Single(Findings(Spec, Requests.Pod(Pod, ns: "team-b"), context));
        Assert.Single(Findings(Spec, Requests.Pod(Pod, ns: "unknown"), context));
    }

    [Fact]
    public void Variables_chain_and_every_validation_and_message_can_read_them()
    {
        var findings = Findings("""
              variables:
                - name: names
                  expression: object.spec.containers.map(c, c.name)
                - name: count
                  expression: size(variables.names)
              validations:
                - id: one
                  expression: variables.count == 1 && variables.names[0] == 'a'
                - id: two
                  expression: variables.count == 2
                  messageExpression: "'containers: ' + variables.names.join(',')"
            """, Requests.Pod(Pod));

        var finding = Assert.Single(findings);
        Assert.Equal(("two", "containers: a"), (finding.CheckId, finding.Message));
    }

    [Fact]
    public void Message_falls_back_from_a_failing_messageExpression_to_message_then_to_the_expression()
    {
        var findings = Findings("""
              validations:
                - id: with-message
                  expression: "false"
                  message: static text
                  messageExpression: object.missing.field
                - id: bare
                  expression: 1 > 2
                - id: blank
                  expression: "false"
                  messageExpression: "'  '"
                  message: used because blank
            """, Requests.Pod(Pod));

        Assert.Equal(["static text", "failed expression: 1 > 2", "used because blank"], findings.Select(f => f.Message));
    }

    [Fact]
    public void Warn_and_audit_actions_carry_through_to_findings()
    {
        Assert.Equal(FindingAction.Warn, Assert.Single(Findings("""
              action: warn
              validations: [{expression: "false"}]
            """, Requests.Pod(Pod))).Action);
        Assert.Equal(FindingAction.Audit, Assert.Single(Findings("""
              action: audit
              validations: [{expression: "false"}]
            """, Requests.Pod(Pod))).Action);
    }

    [Fact]
    public void A_runtime_error_is_a_finding_under_failurePolicy_Fail_and_nothing_under_Ignore()
    {
        var failed = Assert.Single(Findings("""
              validations:
                - id: reads-missing
                  expression: object.spec.nodeName == 'n1'
            """, Requests.Pod(Pod)));
        Assert.Equal(FindingAction.Deny, failed.Action);
        Assert.Contains("could not be evaluated (failurePolicy Fail)", failed.Message, StringComparison.Ordinal);
        Assert.Contains("nodeName", failed.Message, StringComparison.Ordinal);

        Assert.Empty(Findings("""
              failurePolicy: Ignore
              validations:
                - expression: object.spec.nodeName == 'n1'
            """, Requests.Pod(Pod)));
    }

    [Fact]
    public void A_spent_cost_budget_is_a_finding_not_an_exception()
    {
        var set = GuardrailSet.FromText(Requests.Guardrail("g", """
              validations:
                - id: expensive
                  expression: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, a + b + c > 0)))"
            """), "g.yaml", new EvaluationLimits { CostBudget = 100 });
        var result = new AdmissionCheckResult();

        set.Guardrails[0].Validate(Requests.Pod(Pod), Requests.Namespaces(), result);

        var finding = Assert.Single(result.Findings);
        Assert.Contains("budget", finding.Message, StringComparison.Ordinal);
        Assert.Equal(FindingAction.Deny, finding.Action);
    }

    [Fact]
    public void A_non_bool_result_at_runtime_is_an_evaluation_failure()
    {
        var finding = Assert.Single(Findings("""
              validations:
                - id: dyn
                  expression: object.metadata.name
            """, Requests.Pod(Pod)));

        Assert.Contains("expected a bool, got string", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_requests_see_a_null_object()
    {
        Assert.Empty(Findings("""
              match: {operations: [DELETE]}
              validations:
                - expression: object == null && request.operation == 'DELETE'
            """, Requests.Pod(Pod, operation: AdmissionOperation.Delete)));
    }
}
