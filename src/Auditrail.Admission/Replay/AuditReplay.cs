using System.Text.Json;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.Admission.Replay;

/// <summary>One replayed request that the guardrails would have denied (or that the apiserver refused anyway).</summary>
public sealed record ReplayedDenial(
    DateTimeOffset? Time,
    string AuditId,
    string User,
    string? ImpersonatedBy,
    string Verb,
    string Resource,
    string? Namespace,
    string? Name,
    int ResponseCode,
    IReadOnlyList<AdmissionFinding> Findings,
    string Location);

/// <summary>What a replay found: counts, and the requests the guardrails would have denied.</summary>
public sealed class ReplayReport
{
    public long EventsRead { get; internal set; }

    /// <summary>create, update and patch requests (one event per request: ResponseComplete or Panic) of kinds some guardrail matches.</summary>
    public long Candidates { get; internal set; }

    public long Replayed { get; internal set; }

    public Dictionary<string, long> NotReplayable { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests the apiserver accepted that the guardrails would have denied.</summary>
    public List<ReplayedDenial> WouldDeny { get; } = [];

    /// <summary>Requests the guardrails would have denied that the apiserver refused anyway (code ≥ 400).</summary>
    public List<ReplayedDenial> RefusedAnyway { get; } = [];

    public Dictionary<string, long> WouldDenyByGuardrail { get; } = new(StringComparer.Ordinal);

    public long Warned { get; internal set; }

    public long Mutated { get; internal set; }
}

/// <summary>
/// Replays audit history through guardrails: each create, update or patch of a kind some guardrail
/// matches becomes the admission request the apiserver would have sent, built from the body the audit
/// event recorded: the requestObject of a create or update (Request or RequestResponse level), the
/// responseObject of a patch (the whole object after the patch; the patch itself cannot be replayed
/// without the object it applied to). Namespace objects seen in the log (and given up front) supply
/// namespace labels as of that moment. The old object is never recorded, so <c>oldObject</c> is null.
/// </summary>
public sealed class AuditReplay : IAuditEventHandler
{
    private readonly AdmissionPipeline _pipeline;
    private readonly ReplayNamespaces _namespaces;
    private readonly IReadOnlyList<KindMatcher>? _kinds;
    private readonly HashSet<string> _resources;
    private readonly DateTimeOffset? _since;
    private readonly DateTimeOffset? _until;
    private readonly Action<ReadDiagnostic>? _onDiagnostic;

    /// <param name="compose">Builds the pipeline over the namespace source the replay keeps up to date.</param>
    public AuditReplay(GuardrailSet guardrails, INamespaceSource? initialNamespaces, Func<GuardrailSet, INamespaceSource, AdmissionPipeline> compose,
        DateTimeOffset? since = null, DateTimeOffset? until = null, Action<ReadDiagnostic>? onDiagnostic = null)
    {
        _namespaces = new ReplayNamespaces(initialNamespaces);
        _pipeline = compose(guardrails, _namespaces);
        _since = since;
        _until = until;
        _onDiagnostic = onDiagnostic;

        // Which resources to read bodies for: the resource names of the kinds guardrails match (audit
        // events name the resource, not the kind); a guardrail matching any kind makes every resource a candidate.
        var matchers = guardrails.Guardrails.SelectMany(g => g.Definition.Match.Kinds.Count == 0 ? [new KindMatcher("*", "*", "*")] : g.Definition.Match.Kinds).ToList();
        _kinds = matchers.Exists(k => k.Kind == "*") ? null : matchers;
        _resources = [.. matchers.Where(k => k.Kind != "*").Select(k => $"{(k.Group == "*" ? "*" : k.Group)}|{KindResources.Resource(k.Kind)}")];
    }

    public ReplayReport Report { get; } = new();

    public CancellationToken CancellationToken { get; init; }

    public void OnDiagnostic(ReadDiagnostic diagnostic) => _onDiagnostic?.Invoke(diagnostic);

    public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
    {
        if (auditEvent.Time is { } time && ((_since is { } from && time < from) || (_until is { } to && time >= to)))
        {
            return;
        }

        Report.EventsRead++;
        var verb = auditEvent.Verb;
        if (auditEvent.Stage is not (AuditStage.ResponseComplete or AuditStage.Panic) || verb is not ("create" or "update" or "patch") || !auditEvent.HasObjectRef)
        {
            return;
        }

        var resource = auditEvent.Resource ?? string.Empty;
        var group = auditEvent.ApiGroup ?? string.Empty;

        // Namespaces are followed even when no guardrail matches them: their labels drive namespace selectors.
        if (group.Length == 0 && resource == "namespaces" && string.IsNullOrEmpty(auditEvent.Subresource))
        {
            _namespaces.Observe(auditEvent, verb);
        }

        if (!IsCandidate(group, resource))
        {
            return;
        }

        Report.Candidates++;
        if (!string.IsNullOrEmpty(auditEvent.Subresource))
        {
            NotReplayable($"{verb} of a subresource ({auditEvent.Subresource})");
            return;
        }

        var body = verb == "patch" ? auditEvent.ResponseObjectJson : auditEvent.RequestObjectJson;
        if (body.IsEmpty)
        {
            NotReplayable(verb == "patch"
                ? "patch without responseObject (needs RequestResponse level)"
                : $"{verb} without requestObject ({auditEvent.Level.ToWireName()} level)");
            return;
        }

        using var document = JsonDocument.Parse(body.ToArray());
        var obj = document.RootElement;
        var (apiVersion, kind) = (Text(obj, "apiVersion"), Text(obj, "kind"));
        if (obj.ValueKind != JsonValueKind.Object || kind is null || apiVersion is null)
        {
            NotReplayable("body without apiVersion and kind");
            return;
        }

        if (kind == "Status")
        {
            NotReplayable("patch refused by the apiserver (the response is a Status, not the object)");
            return;
        }

        var (objectGroup, version) = KindResources.SplitApiVersion(apiVersion);
        var request = new AdmissionRequest
        {
            Uid = auditEvent.AuditId ?? string.Empty,
            Kind = new GroupVersionKind(objectGroup, version, kind),
            Resource = new GroupVersionResource(group, auditEvent.ObjectApiVersion ?? version, resource),
            Name = auditEvent.Name ?? Metadata(obj, "name") ?? GeneratedName(obj),
            Namespace = auditEvent.Namespace,
            Operation = verb == "create" ? AdmissionOperation.Create : AdmissionOperation.Update,
            UserInfo = User(auditEvent),
            Object = obj,
        };
        Report.Replayed++;
        CancellationToken.ThrowIfCancellationRequested();
        var verdict = _pipeline.Review(request, CancellationToken);
        Report.Warned += verdict.Warnings.Count > 0 ? 1 : 0;
        Report.Mutated += verdict.Patch.Count > 0 ? 1 : 0;
        if (verdict.Allowed)
        {
            return;
        }

        var denial = new ReplayedDenial(auditEvent.Time, request.Uid, request.UserInfo.Username,
            auditEvent.HasImpersonation ? auditEvent.UserName : null, verb, FullResource(group, resource), request.Namespace, request.Name,
            auditEvent.ResponseCode, [.. verdict.Findings.Where(f => f.Action == FindingAction.Deny)], location.ToString());

        // The apiserver refused it anyway (forbidden, invalid, conflict): no guardrail was needed, so it is not counted as one.
        if (auditEvent.ResponseCode >= 400)
        {
            Report.RefusedAnyway.Add(denial);
            return;
        }

        Report.WouldDeny.Add(denial);
        foreach (var guardrail in denial.Findings.Select(f => f.Source).Distinct(StringComparer.Ordinal))
        {
            Report.WouldDenyByGuardrail[guardrail] = Report.WouldDenyByGuardrail.GetValueOrDefault(guardrail) + 1;
        }
    }

    private bool IsCandidate(string group, string resource) =>
        _kinds is null || _resources.Contains($"{group}|{resource}") || _resources.Contains($"*|{resource}");

    private void NotReplayable(string reason) => Report.NotReplayable[reason] = Report.NotReplayable.GetValueOrDefault(reason) + 1;

    /// <summary>The identity admission would have seen: the impersonated user when there is one, else the authenticated user.</summary>
    private static AdmissionUserInfo User(AuditEvent auditEvent)
    {
        if (auditEvent.HasImpersonation)
        {
            return new AdmissionUserInfo(auditEvent.ImpersonatedUserName ?? string.Empty, auditEvent.ImpersonatedUserGroups, auditEvent.ImpersonatedUserUid);
        }

        return new AdmissionUserInfo(auditEvent.UserName ?? string.Empty, auditEvent.UserGroups, auditEvent.UserUid, Extra(auditEvent.UserExtraJson));
    }

    private static Dictionary<string, IReadOnlyList<string>>? Extra(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return document.RootElement.EnumerateObject().ToDictionary(
            p => p.Name,
            p => (IReadOnlyList<string>)[.. p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!) : []],
            StringComparer.Ordinal);
    }

    /// <summary>A create with generateName has no name until the apiserver picks one; show the prefix it was given.</summary>
    private static string? GeneratedName(JsonElement obj) => Metadata(obj, "generateName") is { } prefix ? prefix + "*" : null;

    private static string FullResource(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";

    private static string? Text(JsonElement obj, string property) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Metadata(JsonElement obj, string field) =>
        obj.TryGetProperty("metadata", out var metadata) ? Text(metadata, field) : null;

    /// <summary>Namespaces as the log shows them over time, over those given up front.</summary>
    private sealed class ReplayNamespaces(INamespaceSource? initial) : INamespaceSource
    {
        private readonly Dictionary<string, JsonElement> _seen = new(StringComparer.Ordinal);

        public JsonElement? FindNamespace(string name) => _seen.TryGetValue(name, out var ns) ? ns : initial?.FindNamespace(name);

        /// <summary>Keeps the namespace as it was after a successful write: the response object, or a create's request object.</summary>
        public void Observe(AuditEvent auditEvent, string verb)
        {
            if (auditEvent.ResponseCode >= 400)
            {
                return;
            }

            var body = auditEvent.HasResponseObject ? auditEvent.ResponseObjectJson : verb == "patch" ? default : auditEvent.RequestObjectJson;
            if (body.IsEmpty)
            {
                return;
            }

            using var document = JsonDocument.Parse(body.ToArray());
            if (Text(document.RootElement, "kind") == "Namespace" && Metadata(document.RootElement, "name") is { } objectName)
            {
                _seen[objectName] = document.RootElement.Clone();
            }
        }
    }
}
