using System.Text.Json;
using System.Text.Json.Nodes;

namespace Auditrail.Admission.Review;

/// <summary>What a finding does to the request: deny it, warn the client, or only annotate the audit event.</summary>
public enum FindingAction
{
    Deny,
    Warn,
    Audit,
}

/// <summary>
/// One thing a check found wrong with a request. <paramref name="Source"/> names the check
/// ("pod-security" or a guardrail's name); <paramref name="CheckId"/> is stable for tests and reports
/// (a Pod Security check id such as <c>runAsNonRoot</c>, or a guardrail validation's id).
/// <paramref name="Reason"/> is the status reason a denial answers with (<c>Forbidden</c> when null,
/// as ValidatingAdmissionPolicy; a guardrail validation may say <c>Invalid</c> and the like).
/// </summary>
public sealed record AdmissionFinding(string Source, string CheckId, string Message, FindingAction Action, string? Path = null, string? Reason = null);

/// <summary>One RFC 6902 operation; <see cref="Value"/> is null for remove.</summary>
public sealed record JsonPatchOperation(string Op, string Path, JsonNode? Value = null);

/// <summary>Where checks look up the objects a request does not carry.</summary>
public interface INamespaceSource
{
    /// <summary>The Namespace object by name (for Pod Security labels and guardrails' <c>namespaceObject</c>), or null when unknown.</summary>
    JsonElement? FindNamespace(string name);
}

/// <summary>Everything a check may consult besides the request itself.</summary>
public sealed record AdmissionContext(INamespaceSource Namespaces);

/// <summary>What the checks of one review produced, gathered in check order.</summary>
public sealed class AdmissionCheckResult
{
    public List<AdmissionFinding> Findings { get; } = [];

    public List<JsonPatchOperation> Patch { get; } = [];

    public Dictionary<string, string> AuditAnnotations { get; } = new(StringComparer.Ordinal);

    public bool Denied => Findings.Exists(finding => finding.Action == FindingAction.Deny);
}

/// <summary>A validating check: Pod Security Standards or the guardrails' validations.</summary>
public interface IAdmissionValidator
{
    string Name { get; }

    void Validate(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result);
}

/// <summary>A mutating check: adds its JSON Patch operations to the result.</summary>
public interface IAdmissionMutator
{
    string Name { get; }

    void Mutate(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result);
}

/// <summary>The answer a webhook gives for one request, before it is encoded as an AdmissionReview response.</summary>
public sealed record AdmissionVerdict
{
    public required bool Allowed { get; init; }

    /// <summary>HTTP-style status code for a denial (403 by convention).</summary>
    public int? Code { get; init; }

    public string? Message { get; init; }

    public string? Reason { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IReadOnlyDictionary<string, string> AuditAnnotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Empty when nothing is to change.</summary>
    public IReadOnlyList<JsonPatchOperation> Patch { get; init; } = [];

    /// <summary>Every finding, for offline reports; the wire format carries only the message and warnings.</summary>
    public IReadOnlyList<AdmissionFinding> Findings { get; init; } = [];
}

/// <summary>What the server's /validate and /mutate endpoints call.</summary>
public interface IAdmissionReviewer
{
    AdmissionVerdict Validate(AdmissionRequest request, CancellationToken cancellationToken);

    AdmissionVerdict Mutate(AdmissionRequest request, CancellationToken cancellationToken);
}
