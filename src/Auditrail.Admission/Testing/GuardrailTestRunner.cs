using System.Text.Json.Nodes;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Testing;

/// <summary>The outcome of one expectation on one resource.</summary>
public sealed record GuardrailTestOutcome(GuardrailTestCase Case, string Resource, bool Passed, string Actual, string Detail);

/// <summary>A suite's outcomes, and the problems that kept parts of it from running.</summary>
public sealed record GuardrailTestReport(GuardrailTestSuite Suite, IReadOnlyList<GuardrailTestOutcome> Outcomes, IReadOnlyList<AdmissionDiagnostic> Diagnostics)
{
    public int Passed => Outcomes.Count(o => o.Passed);

    public int Failed => Outcomes.Count(o => !o.Passed);
}

/// <summary>
/// Runs a suite: each resource is reviewed as a CREATE (mutations, then validations of the patched
/// object) through the pipeline <c>compose</c> builds, and each expectation is compared with what the
/// guardrail did: skip when it does not match the resource, fail for a deny or audit finding, warn for
/// a warn finding, pass otherwise; expected patched fields are read from the patched object.
/// </summary>
public static class GuardrailTestRunner
{
    public static GuardrailTestReport Run(GuardrailTestSuite suite, Func<GuardrailSet, INamespaceSource, AdmissionPipeline> compose, CancellationToken cancellationToken = default)
    {
        var diagnostics = new List<AdmissionDiagnostic>();
        var guardrails = GuardrailSet.Load(suite.Guardrails);
        diagnostics.AddRange(guardrails.Diagnostics);
        var manifests = ManifestReader.ReadPaths(suite.Resources, diagnostics);
        var catalog = new NamespaceCatalog();
        catalog.AddRange(ManifestReader.ReadPaths(suite.Namespaces, diagnostics));
        catalog.AddRange(manifests);
        var pipeline = compose(guardrails, catalog);
        var verdicts = new Dictionary<Manifest, AdmissionVerdict>();
        var outcomes = new List<GuardrailTestOutcome>();
        foreach (var testCase in suite.Cases)
        {
            var guardrail = guardrails.Guardrails.FirstOrDefault(g => g.Name == testCase.Guardrail);
            foreach (var resource in testCase.Resources)
            {
                var found = manifests.Where(m => Names(m, resource, testCase.Kind)).ToList();
                if (guardrail is null || found.Count != 1)
                {
                    var why = guardrail is null ? $"guardrail '{testCase.Guardrail}' is not loaded"
                        : found.Count == 0 ? $"no resource named '{resource}'{(testCase.Kind is null ? string.Empty : $" of kind {testCase.Kind}")}"
                        : $"'{resource}' names {found.Count} resources; add kind or namespace/";
                    outcomes.Add(new GuardrailTestOutcome(testCase, resource, false, "error", why));
                    continue;
                }

                var manifest = found[0];
                var request = ManifestRequests.Create(manifest);
                if (!verdicts.TryGetValue(manifest, out var verdict))
                {
                    verdict = pipeline.Review(request, cancellationToken);
                    verdicts[manifest] = verdict;
                }

                outcomes.Add(Judge(testCase, resource, guardrail, request, pipeline.Context, manifest, verdict));
            }
        }

        return new GuardrailTestReport(suite, outcomes, diagnostics);
    }

    private static GuardrailTestOutcome Judge(GuardrailTestCase testCase, string resource, CompiledGuardrail guardrail, AdmissionRequest request, AdmissionContext context, Manifest manifest, AdmissionVerdict verdict)
    {
        var findings = verdict.Findings.Where(f => f.Source == guardrail.Name && (testCase.Check is null || f.CheckId == testCase.Check)).ToList();
        var actual = !guardrail.Matches(request, context) ? ExpectedResult.Skip
            : findings.Exists(f => f.Action is FindingAction.Deny or FindingAction.Audit) ? ExpectedResult.Fail
            : findings.Count > 0 ? ExpectedResult.Warn
            : ExpectedResult.Pass;
        var detail = string.Join("; ", findings.Select(AdmissionPipeline.Describe));
        if (actual != testCase.Result)
        {
            return new GuardrailTestOutcome(testCase, resource, false, Name(actual), $"expected {Name(testCase.Result)}, got {Name(actual)}{(detail.Length > 0 ? ": " + detail : string.Empty)}");
        }

        if (testCase.PatchedFields.Count > 0)
        {
            var patched = JsonNode.Parse(JsonPatch.Apply(manifest.Object, verdict.Patch).GetRawText());
            foreach (var (path, tokens, expected) in testCase.PatchedFields)
            {
                var value = Read(patched, tokens);
                if (value is null || !JsonNode.DeepEquals(value, JsonNode.Parse(expected.GetRawText())))
                {
                    return new GuardrailTestOutcome(testCase, resource, false, Name(actual),
                        $"patched {path}: expected {expected.GetRawText()}, got {value?.ToJsonString() ?? "nothing"}");
                }
            }
        }

        return new GuardrailTestOutcome(testCase, resource, true, Name(actual), detail);
    }

    private static JsonNode? Read(JsonNode? node, IReadOnlyList<string> tokens)
    {
        foreach (var token in tokens)
        {
            node = node switch
            {
                JsonObject obj => obj[token],
                JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count => array[index],
                _ => null,
            };
        }

        return node;
    }

    /// <summary>A resource reference: <c>name</c> or <c>namespace/name</c>, with an optional kind.</summary>
    private static bool Names(Manifest manifest, string reference, string? kind)
    {
        if (kind is not null && manifest.Kind != kind)
        {
            return false;
        }

        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? manifest.Name == reference
            : manifest.Name == reference[(slash + 1)..] && ManifestRequests.Create(manifest).Namespace == reference[..slash];
    }

    public static string Name(ExpectedResult result) => result.ToString().ToLowerInvariant();
}
