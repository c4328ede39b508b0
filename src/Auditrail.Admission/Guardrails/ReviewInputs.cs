using System.Buffers;
using System.Text.Json;
using Auditrail.Admission.Review;
using Auditrail.Cel.Runtime;

namespace Auditrail.Admission.Guardrails;

/// <summary>
/// The CEL values of one review that every guardrail reads the same way: <c>object</c>,
/// <c>oldObject</c>, <c>request</c> and <c>namespaceObject</c>, as ValidatingAdmissionPolicy defines
/// them (null where absent: no object on DELETE, no old object on CREATE, no namespace for cluster-scoped
/// objects or a namespace the context does not know). Built once per request and shared by guardrails.
/// </summary>
internal sealed class ReviewInputs
{
    [ThreadStatic]
    private static ReviewInputs? t_last;

    private readonly AdmissionRequest _request;
    private readonly AdmissionContext _context;

    private ReviewInputs(AdmissionRequest request, AdmissionContext context)
    {
        _request = request;
        _context = context;
        Object = request.Object is { } obj ? JsonValues.From(obj) : CelValue.Null;
        OldObject = request.OldObject is { } old ? JsonValues.From(old) : CelValue.Null;
        NamespaceElement = string.IsNullOrEmpty(request.Namespace) ? null : context.Namespaces.FindNamespace(request.Namespace);
        NamespaceObject = NamespaceElement is { } ns ? JsonValues.From(ns) : CelValue.Null;
        Request = BuildRequest(request);
        NamespaceLabels = ComputeNamespaceLabels();
    }

    public CelValue Object { get; }

    public CelValue OldObject { get; }

    public CelValue Request { get; }

    public CelValue NamespaceObject { get; }

    public JsonElement? NamespaceElement { get; }

    /// <summary>
    /// The labels a namespace selector is matched against: the namespace's, or for a Namespace object
    /// its own; null for other cluster-scoped objects, which a namespace selector never excludes.
    /// </summary>
    public IReadOnlyDictionary<string, string>? NamespaceLabels { get; }

    /// <summary>The inputs for this request, reused while the same request goes from guardrail to guardrail on this thread.</summary>
    public static ReviewInputs For(AdmissionRequest request, AdmissionContext context)
    {
        var last = t_last;
        if (last is not null && ReferenceEquals(last._request, request) && ReferenceEquals(last._context, context))
        {
            return last;
        }

        return t_last = new ReviewInputs(request, context);
    }

    private Dictionary<string, string>? ComputeNamespaceLabels()
    {
        if (!string.IsNullOrEmpty(_request.Namespace))
        {
            // Every namespace carries kubernetes.io/metadata.name (the apiserver sets it), so selectors can name one even when we lack the object.
            var labels = Labels(NamespaceElement);
            labels["kubernetes.io/metadata.name"] = _request.Namespace;
            return labels;
        }

        if (_request.Kind is { Group: "", Kind: "Namespace" } && _request.Object is { } self)
        {
            var labels = Labels(self);
            if (_request.Name is { Length: > 0 } name)
            {
                labels["kubernetes.io/metadata.name"] = name;
            }

            return labels;
        }

        return null;
    }

    /// <summary>An object's metadata.labels; values that are not strings are skipped (the apiserver would have refused them).</summary>
    public static Dictionary<string, string> Labels(JsonElement? obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj is { ValueKind: JsonValueKind.Object } element
            && element.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("labels", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var label in map.EnumerateObject())
            {
                if (label.Value.ValueKind == JsonValueKind.String)
                {
                    labels[label.Name] = label.Value.GetString()!;
                }
            }
        }

        return labels;
    }

    /// <summary>The <c>request</c> variable: the AdmissionRequest fields ValidatingAdmissionPolicy exposes, in their wire names.</summary>
    private static CelValue BuildRequest(AdmissionRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("uid", request.Uid);
            writer.WriteStartObject("kind");
            writer.WriteString("group", request.Kind.Group);
            writer.WriteString("version", request.Kind.Version);
            writer.WriteString("kind", request.Kind.Kind);
            writer.WriteEndObject();
            writer.WriteStartObject("resource");
            writer.WriteString("group", request.Resource.Group);
            writer.WriteString("version", request.Resource.Version);
            writer.WriteString("resource", request.Resource.Resource);
            writer.WriteEndObject();
            writer.WriteString("subResource", request.SubResource ?? string.Empty);
            writer.WriteString("name", request.Name ?? string.Empty);
            writer.WriteString("namespace", request.Namespace ?? string.Empty);
            writer.WriteString("operation", request.Operation.ToString().ToUpperInvariant());
            writer.WriteStartObject("userInfo");
            writer.WriteString("username", request.UserInfo.Username);
            if (request.UserInfo.Uid is { } uid)
            {
                writer.WriteString("uid", uid);
            }

            writer.WriteStartArray("groups");
            foreach (var group in request.UserInfo.Groups)
            {
                writer.WriteStringValue(group);
            }

            writer.WriteEndArray();
            if (request.UserInfo.Extra is { } extra)
            {
                writer.WriteStartObject("extra");
                foreach (var (key, values) in extra)
                {
                    writer.WriteStartArray(key);
                    foreach (var value in values)
                    {
                        writer.WriteStringValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteBoolean("dryRun", request.DryRun);
            if (request.Options is { } options)
            {
                writer.WritePropertyName("options");
                options.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return JsonValues.From(document.RootElement.Clone());
    }
}
