using System.Text;
using System.Text.Json;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Pipeline;

/// <summary>
/// Runs mutators then validators over a request and turns their findings into one verdict: allowed
/// unless some finding denies; the message lists the denials as <c>[source/check] message</c>;
/// warnings come from warn findings; audit findings become audit annotations. Mutators run in order,
/// each seeing the object as patched by those before it. Holds no per-review state, so one pipeline
/// serves concurrent reviews.
/// </summary>
public sealed class AdmissionPipeline : IAdmissionReviewer
{
    private readonly IReadOnlyList<IAdmissionValidator> _validators;
    private readonly IReadOnlyList<IAdmissionMutator> _mutators;

    public AdmissionPipeline(AdmissionContext context, IEnumerable<IAdmissionValidator> validators, IEnumerable<IAdmissionMutator> mutators)
    {
        Context = context;
        _validators = [.. validators];
        _mutators = [.. mutators];
    }

    public AdmissionContext Context { get; }

    public IReadOnlyList<IAdmissionValidator> Validators => _validators;

    public IReadOnlyList<IAdmissionMutator> Mutators => _mutators;

    public AdmissionVerdict Validate(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var result = new AdmissionCheckResult();
        foreach (var validator in _validators)
        {
            cancellationToken.ThrowIfCancellationRequested();
            validator.Validate(request, Context, result);
        }

        return Verdict(result, []);
    }

    public AdmissionVerdict Mutate(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var result = new AdmissionCheckResult();
        var patch = new List<Review.JsonPatchOperation>();
        var current = request;
        for (var i = 0; i < _mutators.Count; i++)
        {
            var mutator = _mutators[i];
            cancellationToken.ThrowIfCancellationRequested();
            var before = result.Patch.Count;
            mutator.Mutate(current, Context, result);
            if (result.Patch.Count > before && current.Object is { } obj)
            {
                var added = result.Patch.GetRange(before, result.Patch.Count - before);
                try
                {
                    // After the last mutator nobody reads the patched object: checking that the patch
                    // applies is enough, and skips re-serializing the whole object on every review.
                    if (i == _mutators.Count - 1)
                    {
                        JsonPatch.EnsureApplies(obj, added);
                    }
                    else
                    {
                        current = current with { Object = JsonPatch.Apply(obj, added) };
                    }

                    patch.AddRange(added);
                }
                catch (JsonPatchException ex)
                {
                    // A mutator whose patch does not apply to the object it was given is broken: its
                    // operations are dropped and the request refused, rather than admitted half-mutated.
                    result.Findings.Add(new AdmissionFinding(mutator.Name, "patch", $"patch does not apply: {ex.Message}", FindingAction.Deny));
                }
            }
        }

        // The result's own list holds every mutator's operations, dropped ones too; the verdict carries those that applied.
        return Verdict(result, patch);
    }

    /// <summary>
    /// What the apiserver would decide with both webhooks installed: mutation first, then validation of
    /// the mutated object. The verdict carries the mutations' patch and every finding of both phases.
    /// </summary>
    public AdmissionVerdict Review(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var mutated = Mutate(request, cancellationToken);
        var patched = mutated.Patch.Count > 0 && request.Object is { } obj ? request with { Object = JsonPatch.Apply(obj, mutated.Patch) } : request;
        var validated = Validate(patched, cancellationToken);
        var combined = new AdmissionCheckResult();
        combined.Findings.AddRange(mutated.Findings);
        combined.Findings.AddRange(validated.Findings);
        foreach (var (key, value) in mutated.AuditAnnotations.Concat(validated.AuditAnnotations))
        {
            combined.AuditAnnotations[key] = value;
        }

        return Verdict(combined, mutated.Patch);
    }

    /// <summary>The HTTP code the apiserver pairs with a denial's reason, as for ValidatingAdmissionPolicy; the first denial decides.</summary>
    private static int StatusCode(string? reason) => reason switch
    {
        "Invalid" => 422,
        "RequestEntityTooLarge" => 413,
        "Unauthorized" => 401,
        _ => 403,
    };

    private static AdmissionVerdict Verdict(AdmissionCheckResult result, IReadOnlyList<Review.JsonPatchOperation> patch)
    {
        var denials = result.Findings.Where(f => f.Action == FindingAction.Deny).ToList();
        var annotations = new Dictionary<string, string>(result.AuditAnnotations, StringComparer.Ordinal);
        foreach (var finding in result.Findings.Where(f => f.Action == FindingAction.Audit))
        {
            annotations.TryAdd(AnnotationKey(finding), finding.Message);
        }

        return new AdmissionVerdict
        {
            Allowed = denials.Count == 0,
            Code = denials.Count == 0 ? null : StatusCode(denials[0].Reason),
            Reason = denials.Count == 0 ? null : denials[0].Reason ?? "Forbidden",
            Message = denials.Count == 0 ? null : string.Join("; ", denials.Select(Describe)),
            Warnings = [.. result.Findings.Where(f => f.Action == FindingAction.Warn).Select(Describe)],
            AuditAnnotations = annotations,
            Patch = patch,
            Findings = [.. result.Findings],
        };
    }

    public static string Describe(AdmissionFinding finding) => $"[{finding.Source}/{finding.CheckId}] {finding.Message}";

    /// <summary>
    /// An audit annotation key from the check's name: the apiserver prefixes it with the webhook's name
    /// and requires a qualified name (at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends).
    /// </summary>
    internal static string AnnotationKey(AdmissionFinding finding)
    {
        var builder = new StringBuilder();
        foreach (var c in $"{finding.Source}.{finding.CheckId}")
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        var key = builder.ToString().Trim('-', '_', '.');
        key = key.Length > 63 ? key[..63].TrimEnd('-', '_', '.') : key;
        return key.Length == 0 ? "finding" : key;
    }

    /// <summary>The pipeline with no namespaces known; <see cref="Context"/> is what checks consult.</summary>
    public static AdmissionContext EmptyContext { get; } = new(new NoNamespaces());

    private sealed class NoNamespaces : INamespaceSource
    {
        public JsonElement? FindNamespace(string name) => null;
    }
}
