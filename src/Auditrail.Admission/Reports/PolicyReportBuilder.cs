using System.Text.Json.Nodes;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Reports;

/// <summary>
/// A background scan of existing objects written as Policy Reports (<c>wgpolicyk8s.io/v1alpha2</c>, the
/// format Kyverno and the policy-reporter UI read): one PolicyReport per namespace, one
/// ClusterPolicyReport for cluster-scoped objects, a result per guardrail validation and object
/// (pass, fail or warn) and summary counts. Existing objects are validated, not mutated.
/// </summary>
public static class PolicyReportBuilder
{
    public const string ApiVersion = "wgpolicyk8s.io/v1alpha2";

    public static IReadOnlyList<JsonObject> Build(IEnumerable<Manifest> manifests, IReadOnlyList<CompiledGuardrail> guardrails, AdmissionPipeline pipeline,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var byScope = new SortedDictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        foreach (var manifest in manifests)
        {
            var request = ManifestRequests.Create(manifest);
            var verdict = pipeline.Validate(request, cancellationToken);
            var scope = request.Namespace ?? string.Empty;
            if (!byScope.TryGetValue(scope, out var results))
            {
                byScope[scope] = results = [];
            }

            foreach (var guardrail in guardrails.Where(g => g.HasValidations && g.Matches(request, pipeline.Context)))
            {
                foreach (var validation in guardrail.Definition.Validations)
                {
                    var findings = verdict.Findings.Where(f => f.Source == guardrail.Name && f.CheckId == validation.Id).ToList();
                    results.Add(Result(guardrail.Definition.Name, guardrail.Definition.Severity, guardrail.Definition.Category, validation.Id, findings, request, now));
                }
            }

            // Checks that are not guardrails (Pod Security Standards) report only what failed: one
            // result per failed check, named by the check's own id.
            foreach (var check in verdict.Findings.Where(f => !guardrails.Any(g => g.Name == f.Source)).GroupBy(f => (f.Source, f.CheckId)))
            {
                results.Add(Result(check.Key.Source, severity: null, category: null, check.Key.CheckId, [.. check], request, now));
            }
        }

        // A scope where no guardrail applied to anything gets no report, as background scans write none.
        return [.. byScope.Where(scope => scope.Value.Count > 0).Select(scope => Report(scope.Key, scope.Value))];
    }

    private static JsonObject Result(string policy, string? severity, string? category, string rule, List<AdmissionFinding> findings, AdmissionRequest request, DateTimeOffset now)
    {
        var outcome = findings.Exists(f => f.Action is FindingAction.Deny or FindingAction.Audit) ? "fail" : findings.Count > 0 ? "warn" : "pass";
        var result = new JsonObject
        {
            ["source"] = "auditrail",
            ["policy"] = policy,
            ["rule"] = rule,
            ["result"] = outcome,
            ["scored"] = true,
            ["message"] = findings.Count > 0 ? string.Join("; ", findings.Select(f => f.Message)) : $"validation '{rule}' passed",
            ["timestamp"] = new JsonObject { ["seconds"] = now.ToUnixTimeSeconds(), ["nanos"] = 0 },
            ["resources"] = new JsonArray(Reference(request)),
        };
        if (severity is not null)
        {
            result["severity"] = severity;
        }

        if (category is not null)
        {
            result["category"] = category;
        }

        return result;
    }

    private static JsonObject Reference(AdmissionRequest request)
    {
        var reference = new JsonObject
        {
            ["apiVersion"] = request.Kind.Group.Length == 0 ? request.Kind.Version : $"{request.Kind.Group}/{request.Kind.Version}",
            ["kind"] = request.Kind.Kind,
            ["name"] = request.Name ?? string.Empty,
        };
        if (request.Namespace is { } ns)
        {
            reference["namespace"] = ns;
        }

        if (request.Object is { } obj && obj.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("uid", out var uid))
        {
            reference["uid"] = uid.ToString();
        }

        return reference;
    }

    private static JsonObject Report(string scope, List<JsonObject> results)
    {
        var metadata = new JsonObject
        {
            ["name"] = scope.Length == 0 ? "auditrail-cluster" : "auditrail-guardrails",
            ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "auditrail" },
        };
        if (scope.Length > 0)
        {
            metadata["namespace"] = scope;
        }

        int Count(string outcome) => results.Count(r => (string?)r["result"] == outcome);
        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = scope.Length == 0 ? "ClusterPolicyReport" : "PolicyReport",
            ["metadata"] = metadata,
            ["summary"] = new JsonObject { ["pass"] = Count("pass"), ["fail"] = Count("fail"), ["warn"] = Count("warn"), ["error"] = 0, ["skip"] = 0 },
            ["results"] = new JsonArray([.. results]),
        };
    }
}
