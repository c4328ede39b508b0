using System.Text.Json;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;
using Auditrail.Admission.Tests.Support;

namespace Auditrail.Admission.Tests.Pipeline;

/// <summary>Composing validators and mutators into one verdict.</summary>
public sealed class AdmissionPipelineTests
{
    private const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}}""";

    /// <summary>A validator standing in for another check (Pod Security): its findings are given.</summary>
    private sealed class FixedValidator(params AdmissionFinding[] findings) : IAdmissionValidator
    {
        public string Name => "fixed";

        public int Calls { get; private set; }

        public void Validate(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result)
        {
            Calls++;
            result.Findings.AddRange(findings);
        }
    }

    /// <summary>A mutator that records which labels it saw, then adds its own.</summary>
    private sealed class LabelMutator(string key) : IAdmissionMutator
    {
        public string Name => key;

        public List<string> Seen { get; } = [];

        public void Mutate(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result)
        {
            var metadata = request.Object!.Value.GetProperty("metadata");
            if (metadata.TryGetProperty("labels", out var labels))
            {
                Seen.AddRange(labels.EnumerateObject().Select(p => p.Name));
            }

            result.Patch.Add(labels.ValueKind == JsonValueKind.Object
                ? new JsonPatchOperation("add", $"/metadata/labels/{key}", System.Text.Json.Nodes.JsonValue.Create("x"))
                : new JsonPatchOperation("add", "/metadata/labels", new System.Text.Json.Nodes.JsonObject { [key] = "x" }));
        }
    }

    [Fact]
    public void Denials_make_the_message_warnings_and_audit_findings_go_their_own_ways()
    {
        var pss = new FixedValidator(
            new AdmissionFinding("pod-security", "runAsNonRoot", "must run as non-root", FindingAction.Deny),
            new AdmissionFinding("pod-security", "seccomp", "seccomp profile missing", FindingAction.Warn));
        var set = Requests.Guardrails(Requests.Guardrail("caps", """
              validations:
                - {id: one, expression: "false", message: first}
            """) + "\n---\n" + Requests.Guardrail("watch", """
              action: audit
              validations:
                - {id: noted, expression: "false", message: would be denied}
            """));
        var pipeline = new AdmissionPipeline(AdmissionPipeline.EmptyContext, [pss, .. set.Guardrails], []);

        var verdict = pipeline.Validate(Requests.Pod(Pod), CancellationToken.None);

        Assert.False(verdict.Allowed);
        Assert.Equal(403, verdict.Code);
        Assert.Equal("[pod-security/runAsNonRoot] must run as non-root; [caps/one] first", verdict.Message);
        Assert.Equal(["[pod-security/seccomp] seccomp profile missing"], verdict.Warnings);
        Assert.Equal("would be denied", verdict.AuditAnnotations["watch.noted"]);
        Assert.Equal(4, verdict.Findings.Count);
    }

    [Fact]
    public void The_first_denial_s_reason_is_the_verdict_s_status()
    {
        var set = Requests.Guardrails(Requests.Guardrail("shape", """
              validations:
                - {id: invalid, expression: "false", message: bad shape, reason: Invalid}
                - {id: forbidden, expression: "false", message: not allowed}
            """));
        var invalidFirst = new AdmissionPipeline(AdmissionPipeline.EmptyContext, [.. set.Guardrails], []);
        var forbiddenFirst = new AdmissionPipeline(AdmissionPipeline.EmptyContext,
            [new FixedValidator(new AdmissionFinding("pod-security", "privileged", "privileged", FindingAction.Deny)), .. set.Guardrails], []);

        var invalid = invalidFirst.Validate(Requests.Pod(Pod), CancellationToken.None);
        var forbidden = forbiddenFirst.Validate(Requests.Pod(Pod), CancellationToken.None);

        Assert.Equal((422, "Invalid"), (invalid.Code, invalid.Reason));
        Assert.Equal((403, "Forbidden"), (forbidden.Code, forbidden.Reason));
    }

    [Fact]
    public void No_deny_finding_means_allowed_without_a_message()
    {
        var pipeline = new AdmissionPipeline(AdmissionPipeline.EmptyContext, [new FixedValidator(new AdmissionFinding("x", "y", "careful", FindingAction.Warn))], []);

        var verdict = pipeline.Validate(Requests.Pod(Pod), CancellationToken.None);

        Assert.True(verdict.Allowed);
        Assert.Null(verdict.Message);
        Assert.Null(verdict.Code);
        Assert.Single(verdict.Warnings);
    }

    [Fact]
    public void Each_mutator_sees_the_object_as_patched_before_it_and_the_patch_applies()
    {
        var first = new LabelMutator("first");
        var second = new LabelMutator("second");
        var pipeline = new AdmissionPipeline(AdmissionPipeline.EmptyContext, [], [first, second]);
        var request = Requests.Pod(Pod);

        var verdict = pipeline.Mutate(request, CancellationToken.None);

        Assert.Empty(first.Seen);
        Assert.Equal(["first"], second.Seen);
        var patched = JsonPatch.Apply(request.Object!.Value, verdict.Patch);
        Assert.Equal("""{"first":"x","second":"x"}""", patched.GetProperty("metadata").GetProperty("labels").GetRawText());
    }

    /// <summary>A mutator emitting an operation that cannot apply.</summary>
    private sealed class BrokenMutator : IAdmissionMutator
    {
        public string Name => "broken";

        public void Mutate(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result) =>
            result.Patch.Add(new JsonPatchOperation("replace", "/spec/missing/field", System.Text.Json.Nodes.JsonValue.Create(1)));
    }

    [Fact]
    public void A_patch_that_does_not_apply_is_dropped_and_denies_instead_of_throwing()
    {
        var after = new LabelMutator("after");
        var pipeline = new AdmissionPipeline(AdmissionPipeline.EmptyContext, [], [new BrokenMutator(), after]);

        var verdict = pipeline.Mutate(Requests.Pod(Pod), CancellationToken.None);

        Assert.False(verdict.Allowed);
        Assert.StartsWith("[broken/patch] patch does not apply", verdict.Message, StringComparison.Ordinal);
        Assert.Equal("/metadata/labels", Assert.Single(verdict.Patch).Path);
    }

    [Fact]
    public void Review_validates_the_mutated_object()
    {
        var set = Requests.Guardrails(Requests.Guardrail("default-user", """
              mutations:
                - setDefaults: [{path: "spec.securityContext.runAsNonRoot", value: true}]
            """) + "\n---\n" + Requests.Guardrail("non-root", """
              validations:
                - {id: pod, expression: "object.spec.?securityContext.?runAsNonRoot.orValue(false)"}
            """));
        var pipeline = Requests.Pipeline(set);

        Assert.False(pipeline.Validate(Requests.Pod(Pod), CancellationToken.None).Allowed);
        var reviewed = pipeline.Review(Requests.Pod(Pod), CancellationToken.None);
        Assert.True(reviewed.Allowed);
        Assert.Equal("/spec/securityContext", Assert.Single(reviewed.Patch).Path);
    }

    [Fact]
    public void Cancellation_is_observed_between_checks()
    {
        var validator = new FixedValidator();
        var pipeline = new AdmissionPipeline(AdmissionPipeline.EmptyContext, [validator, validator], []);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => pipeline.Validate(Requests.Pod(Pod), cancelled.Token));
        Assert.Equal(0, validator.Calls);
    }

    [Fact]
    public void Concurrent_reviews_get_their_own_answers()
    {
        var set = Requests.Guardrails(Requests.Guardrail("name-even", """
              variables:
                - {name: n, expression: "int(object.metadata.name.substring(4))"}
              validations:
                - {id: even, expression: "variables.n % 2 == 0", messageExpression: "'odd: ' + string(variables.n)"}
              mutations:
                - addLabels: [{key: n, valueExpression: "string(variables.n)"}]
            """));
        var pipeline = Requests.Pipeline(set);

        var results = Enumerable.Range(0, 400).AsParallel().WithDegreeOfParallelism(8).Select(i =>
        {
            var request = Requests.Pod($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-{{{i}}}"}}""");
            return (i, Verdict: pipeline.Review(request, CancellationToken.None));
        }).ToList();

        Assert.All(results, r =>
        {
            Assert.Equal(r.i % 2 == 0, r.Verdict.Allowed);
            Assert.Equal(r.i.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Verdict.Patch[0].Value!["n"]!.GetValue<string>());
            if (r.i % 2 == 1)
            {
                Assert.Equal($"[name-even/even] odd: {r.i}", r.Verdict.Message);
            }
        });
    }

    [Theory]
    [InlineData("guard", "check", "guard.check")]
    [InlineData("my guard!", "id/x", "my-guard-.id-x")]
    [InlineData("-x-", "y", "x-.y")]
    public void Audit_annotation_keys_are_qualified_names(string source, string check, string expected) =>
        Assert.Equal(expected, AdmissionPipeline.AnnotationKey(new AdmissionFinding(source, check, "m", FindingAction.Audit)));
}
