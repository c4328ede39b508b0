using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Auditrail.Admission.Review;

/// <summary>The AdmissionReview versions kube-apiserver sends (a webhook lists them in admissionReviewVersions).</summary>
public enum AdmissionReviewVersion
{
    V1,
    V1Beta1,
}

/// <summary>Why an AdmissionReview could not be decoded; the server maps each to an HTTP status.</summary>
public enum AdmissionReviewProblem
{
    /// <summary>Not JSON, or JSON that ends early.</summary>
    MalformedJson,

    /// <summary>Nesting deeper than the configured limit.</summary>
    TooDeep,

    /// <summary>More bytes than the configured limit.</summary>
    TooLarge,

    /// <summary>Valid JSON that is not an AdmissionReview (other apiVersion or kind).</summary>
    NotAReview,

    /// <summary>A required field is absent or empty.</summary>
    MissingField,

    /// <summary>A field holds a value of the wrong JSON type or outside its allowed values.</summary>
    InvalidField,
}

/// <summary>An AdmissionReview that cannot be decoded: what is wrong, and where (a JSON path such as <c>$.request.uid</c>).</summary>
public sealed class AdmissionReviewFormatException : Exception
{
    public AdmissionReviewFormatException(AdmissionReviewProblem problem, string jsonPath, string detail)
        : base($"{jsonPath}: {detail}")
    {
        Problem = problem;
        JsonPath = jsonPath;
        Detail = detail;
    }

    public AdmissionReviewFormatException()
        : this(AdmissionReviewProblem.MalformedJson, "$", "malformed AdmissionReview")
    {
    }

    public AdmissionReviewFormatException(string message)
        : this(AdmissionReviewProblem.MalformedJson, "$", message)
    {
    }

    public AdmissionReviewFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = AdmissionReviewProblem.MalformedJson;
        JsonPath = "$";
        Detail = message;
    }

    public AdmissionReviewProblem Problem { get; }

    /// <summary>Where the problem is, in JSONPath notation rooted at <c>$</c>.</summary>
    public string JsonPath { get; }

    /// <summary>The problem without its path.</summary>
    public string Detail { get; }
}

/// <summary>Limits that keep a hostile or broken request from costing more than a review should.</summary>
public sealed record AdmissionReviewReadOptions
{
    /// <summary>
    /// 64 levels: a CronJob's pod template with affinity terms sits about 20 deep inside the review, so
    /// real objects stay far below it, while a document of thousands of nested brackets is refused before
    /// any check walks it recursively.
    /// </summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>
    /// 8 MiB: kube-apiserver takes request bodies up to 3 MiB and etcd stores objects up to 1.5 MiB, and
    /// an UPDATE review carries both the object and the old object, so a genuine review stays under it.
    /// </summary>
    public const int DefaultMaxBytes = 8 * 1024 * 1024;

    public int MaxDepth { get; init; } = DefaultMaxDepth;

    public int MaxBytes { get; init; } = DefaultMaxBytes;
}

/// <summary>
/// A decoded AdmissionReview request. <see cref="Request"/>'s object, old object and options point into
/// the parsed document, so they stay valid only until this is disposed; the bytes it was decoded from
/// must stay unchanged until then too.
/// </summary>
public sealed class DecodedAdmissionReview : IDisposable
{
    private readonly JsonDocument _document;

    internal DecodedAdmissionReview(JsonDocument document, AdmissionReviewVersion version, AdmissionRequest request, RequestedAs requestedAs)
    {
        _document = document;
        Version = version;
        Request = request;
        RequestKind = requestedAs.Kind;
        RequestResource = requestedAs.Resource;
        RequestSubResource = requestedAs.SubResource;
    }

    /// <summary>The version the review came in; the response is written in the same one.</summary>
    public AdmissionReviewVersion Version { get; }

    public AdmissionRequest Request { get; }

    /// <summary>
    /// The kind the client originally asked for when the apiserver converted the request to a version the
    /// webhook matches (matchPolicy Equivalent); null when not sent. <see cref="AdmissionRequest"/> does not
    /// carry it yet, so it is kept here.
    /// </summary>
    public GroupVersionKind? RequestKind { get; }

    /// <summary>The resource the client originally asked for; see <see cref="RequestKind"/>.</summary>
    public GroupVersionResource? RequestResource { get; }

    /// <summary>The subresource the client originally asked for; see <see cref="RequestKind"/>.</summary>
    public string? RequestSubResource { get; }

    public void Dispose() => _document.Dispose();
}

/// <summary>requestKind, requestResource and requestSubResource as sent.</summary>
internal readonly record struct RequestedAs(GroupVersionKind? Kind, GroupVersionResource? Resource, string? SubResource);

/// <summary>
/// The AdmissionReview wire codec: decodes <c>admission.k8s.io/v1</c> and <c>v1beta1</c> requests into
/// <see cref="AdmissionRequest"/> and encodes an <see cref="AdmissionVerdict"/> as the response in the
/// request's version. Field names are matched case-sensitively as kube-apiserver's decoder does; unknown
/// fields are ignored (newer apiservers add fields), and a repeated field takes its last value as Go's
/// decoder does. The happy path parses once with <see cref="JsonDocument"/> (pooled buffers, no copy of
/// the body) and compares property names as UTF-8; only a failing document is read a second time, with
/// <see cref="Utf8JsonReader"/>, to name the JSON path where it breaks.
/// </summary>
public static class AdmissionReviewJson
{
    public const string Group = "admission.k8s.io";
    public const string V1ApiVersion = "admission.k8s.io/v1";
    public const string V1Beta1ApiVersion = "admission.k8s.io/v1beta1";
    public const string ReviewKind = "AdmissionReview";

    /// <summary>Decodes a review, throwing <see cref="AdmissionReviewFormatException"/> with the JSON path of the first problem.</summary>
    public static DecodedAdmissionReview Decode(ReadOnlyMemory<byte> utf8Json, AdmissionReviewReadOptions? options = null)
    {
        options ??= new AdmissionReviewReadOptions();
        if (utf8Json.Length > options.MaxBytes)
        {
            throw new AdmissionReviewFormatException(AdmissionReviewProblem.TooLarge, "$",
                $"the review has {utf8Json.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, more than the {options.MaxBytes.ToString("N0", CultureInfo.InvariantCulture)}-byte limit");
        }

        if (utf8Json.IsEmpty)
        {
            throw new AdmissionReviewFormatException(AdmissionReviewProblem.MalformedJson, "$", "the body is empty; expected an AdmissionReview");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = options.MaxDepth });
        }
        catch (JsonException)
        {
            throw JsonSyntaxProblem.Locate(utf8Json.Span, options.MaxDepth);
        }

        try
        {
            var (version, request, requestedAs) = ReadReview(document.RootElement);
            return new DecodedAdmissionReview(document, version, request, requestedAs);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>The <see cref="Decode"/> twin that reports the problem instead of throwing.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> utf8Json, AdmissionReviewReadOptions? options,
        [NotNullWhen(true)] out DecodedAdmissionReview? review, [NotNullWhen(false)] out AdmissionReviewFormatException? error)
    {
        try
        {
            review = Decode(utf8Json, options);
            error = null;
            return true;
        }
        catch (AdmissionReviewFormatException ex)
        {
            review = null;
            error = ex;
            return false;
        }
    }

    /// <summary>The apiVersion string of a review version.</summary>
    public static string ApiVersionOf(AdmissionReviewVersion version) =>
        version == AdmissionReviewVersion.V1 ? V1ApiVersion : V1Beta1ApiVersion;

    /// <summary>
    /// Writes the response review: uid echoed, allowed, status only when the verdict has a code, message or
    /// reason, warnings and auditAnnotations only when present, and the patch (base64 of the RFC 6902
    /// document, with patchType JSONPatch) only when it has operations — kube-apiserver rejects a patchType
    /// without a patch and a patch without a patchType.
    /// </summary>
    public static void WriteResponse(IBufferWriter<byte> output, AdmissionReviewVersion version, string uid, AdmissionVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("apiVersion"u8, ApiVersionOf(version));
        writer.WriteString("kind"u8, ReviewKind);
        writer.WriteStartObject("response"u8);
        writer.WriteString("uid"u8, uid);
        writer.WriteBoolean("allowed"u8, verdict.Allowed);
        if (verdict.Code is not null || verdict.Message is not null || verdict.Reason is not null)
        {
            writer.WriteStartObject("status"u8);
            if (!verdict.Allowed)
            {
                writer.WriteString("status"u8, "Failure"u8);
            }

            if (verdict.Message is { } message)
            {
                writer.WriteString("message"u8, message);
            }

            if (verdict.Reason is { } reason)
            {
                writer.WriteString("reason"u8, reason);
            }

            if (verdict.Code is { } code)
            {
                writer.WriteNumber("code"u8, code);
            }

            writer.WriteEndObject();
        }

        if (verdict.Warnings.Count > 0)
        {
            writer.WriteStartArray("warnings"u8);
            foreach (var warning in verdict.Warnings)
            {
                writer.WriteStringValue(warning);
            }

            writer.WriteEndArray();
        }

        if (verdict.AuditAnnotations.Count > 0)
        {
            writer.WriteStartObject("auditAnnotations"u8);
            foreach (var (key, value) in verdict.AuditAnnotations)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        if (verdict.Patch.Count > 0)
        {
            writer.WriteString("patchType"u8, "JSONPatch"u8);
            var patch = new ArrayBufferWriter<byte>(256 * verdict.Patch.Count);
            WritePatch(patch, verdict.Patch);
            writer.WriteBase64String("patch"u8, patch.WrittenSpan);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes the operations as an RFC 6902 JSON Patch document.</summary>
    public static void WritePatch(IBufferWriter<byte> output, IReadOnlyList<JsonPatchOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartArray();
        foreach (var operation in operations)
        {
            writer.WriteStartObject();
            writer.WriteString("op"u8, operation.Op);
            writer.WriteString("path"u8, operation.Path);
            if (operation.Op != "remove")
            {
                writer.WritePropertyName("value"u8);
                if (operation.Value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    operation.Value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Writes a request review as kube-apiserver sends it. Used by the load generator and by tests; a
    /// review written here decodes back to an equal request.
    /// </summary>
    public static void WriteRequest(IBufferWriter<byte> output, AdmissionReviewVersion version, AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("apiVersion"u8, ApiVersionOf(version));
        writer.WriteString("kind"u8, ReviewKind);
        writer.WriteStartObject("request"u8);
        writer.WriteString("uid"u8, request.Uid);
        WriteKind(writer, "kind"u8, request.Kind);
        WriteResource(writer, "resource"u8, request.Resource);
        WriteOptionalString(writer, "subResource"u8, request.SubResource);
        WriteKind(writer, "requestKind"u8, request.Kind);
        WriteResource(writer, "requestResource"u8, request.Resource);
        WriteOptionalString(writer, "requestSubResource"u8, request.SubResource);
        WriteOptionalString(writer, "name"u8, request.Name);
        WriteOptionalString(writer, "namespace"u8, request.Namespace);
        writer.WriteString("operation"u8, OperationNames[(int)request.Operation]);
        writer.WriteStartObject("userInfo"u8);
        writer.WriteString("username"u8, request.UserInfo.Username);
        WriteOptionalString(writer, "uid"u8, request.UserInfo.Uid);
        writer.WriteStartArray("groups"u8);
        foreach (var group in request.UserInfo.Groups)
        {
            writer.WriteStringValue(group);
        }

        writer.WriteEndArray();
        if (request.UserInfo.Extra is { Count: > 0 } extra)
        {
            writer.WriteStartObject("extra"u8);
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
        WriteOptionalElement(writer, "object"u8, request.Object);
        WriteOptionalElement(writer, "oldObject"u8, request.OldObject);
        writer.WriteBoolean("dryRun"u8, request.DryRun);
        WriteOptionalElement(writer, "options"u8, request.Options);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static readonly string[] OperationNames = ["CREATE", "UPDATE", "DELETE", "CONNECT"];

    private static (AdmissionReviewVersion, AdmissionRequest, RequestedAs) ReadReview(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("$", $"expected an AdmissionReview object, found {Describe(root.ValueKind)}", AdmissionReviewProblem.NotAReview);
        }

        JsonElement? apiVersion = null, kind = null, request = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("apiVersion"u8))
            {
                apiVersion = property.Value;
            }
            else if (property.NameEquals("kind"u8))
            {
                kind = property.Value;
            }
            else if (property.NameEquals("request"u8))
            {
                request = property.Value;
            }
        }

        AdmissionReviewVersion version;
        if (apiVersion is { ValueKind: JsonValueKind.String } versionText && versionText.ValueEquals(V1ApiVersion))
        {
            version = AdmissionReviewVersion.V1;
        }
        else if (apiVersion is { ValueKind: JsonValueKind.String } betaText && betaText.ValueEquals(V1Beta1ApiVersion))
        {
            version = AdmissionReviewVersion.V1Beta1;
        }
        else
        {
            var found = apiVersion is { ValueKind: JsonValueKind.String } other ? $"'{other.GetString()}'" : apiVersion is null ? "none" : Describe(apiVersion.Value.ValueKind);
            throw Invalid("$.apiVersion", $"expected {V1ApiVersion} or {V1Beta1ApiVersion}, found {found}", AdmissionReviewProblem.NotAReview);
        }

        if (kind is not { ValueKind: JsonValueKind.String } kindText || !kindText.ValueEquals(ReviewKind))
        {
            var found = kind is { ValueKind: JsonValueKind.String } other ? $"'{other.GetString()}'" : kind is null ? "none" : Describe(kind.Value.ValueKind);
            throw Invalid("$.kind", $"expected {ReviewKind}, found {found}", AdmissionReviewProblem.NotAReview);
        }

        if (request is not { } requestElement || requestElement.ValueKind == JsonValueKind.Null)
        {
            throw new AdmissionReviewFormatException(AdmissionReviewProblem.MissingField, "$.request", "the review has no request");
        }

        var (admissionRequest, requestedAs) = ReadRequest(requestElement);
        return (version, admissionRequest, requestedAs);
    }

    private static (AdmissionRequest, RequestedAs) ReadRequest(JsonElement request)
    {
        ExpectObject(request, "$.request");
        string? uid = null, subResource = null, name = null, ns = null, requestSubResource = null;
        GroupVersionKind? kind = null, requestKind = null;
        GroupVersionResource? resource = null, requestResource = null;
        AdmissionOperation? operation = null;
        AdmissionUserInfo? userInfo = null;
        JsonElement? obj = null, oldObject = null, options = null;
        var dryRun = false;
        foreach (var property in request.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("uid"u8))
            {
                uid = OptionalString(value, "$.request.uid");
            }
            else if (property.NameEquals("kind"u8))
            {
                kind = ReadKind(value, "$.request.kind");
            }
            else if (property.NameEquals("resource"u8))
            {
                resource = ReadResource(value, "$.request.resource");
            }
            else if (property.NameEquals("subResource"u8))
            {
                subResource = OptionalString(value, "$.request.subResource");
            }
            else if (property.NameEquals("requestKind"u8))
            {
                requestKind = ReadKind(value, "$.request.requestKind");
            }
            else if (property.NameEquals("requestResource"u8))
            {
                requestResource = ReadResource(value, "$.request.requestResource");
            }
            else if (property.NameEquals("requestSubResource"u8))
            {
                requestSubResource = OptionalString(value, "$.request.requestSubResource");
            }
            else if (property.NameEquals("name"u8))
            {
                name = OptionalString(value, "$.request.name");
            }
            else if (property.NameEquals("namespace"u8))
            {
                ns = OptionalString(value, "$.request.namespace");
            }
            else if (property.NameEquals("operation"u8))
            {
                operation = ReadOperation(value);
            }
            else if (property.NameEquals("userInfo"u8))
            {
                userInfo = ReadUserInfo(value);
            }
            else if (property.NameEquals("object"u8))
            {
                obj = RawObject(value);
            }
            else if (property.NameEquals("oldObject"u8))
            {
                oldObject = RawObject(value);
            }
            else if (property.NameEquals("dryRun"u8))
            {
                dryRun = value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False or JsonValueKind.Null => false,
                    _ => throw Invalid("$.request.dryRun", $"expected a boolean, found {Describe(value.ValueKind)}"),
                };
            }
            else if (property.NameEquals("options"u8))
            {
                options = RawObject(value);
            }
        }

        if (string.IsNullOrEmpty(uid))
        {
            throw Missing("$.request.uid", "the request has no uid; the response must echo it");
        }

        var admissionRequest = new AdmissionRequest
        {
            Uid = uid,
            Kind = kind ?? throw Missing("$.request.kind", "the request has no kind"),
            Resource = resource ?? throw Missing("$.request.resource", "the request has no resource"),
            SubResource = NullIfEmpty(subResource),
            Name = NullIfEmpty(name),
            Namespace = NullIfEmpty(ns),
            Operation = operation ?? throw Missing("$.request.operation", "the request has no operation"),
            UserInfo = userInfo ?? new AdmissionUserInfo(string.Empty, []),
            Object = obj,
            OldObject = oldObject,
            DryRun = dryRun,
            Options = options,
        };
        return (admissionRequest, new RequestedAs(requestKind, requestResource, NullIfEmpty(requestSubResource)));
    }

    private static GroupVersionKind ReadKind(JsonElement value, string path)
    {
        var (group, version, kind) = ReadGroupVersion(value, path, "kind"u8, "kind");
        return new GroupVersionKind(group, version, kind);
    }

    private static GroupVersionResource ReadResource(JsonElement value, string path)
    {
        var (group, version, resource) = ReadGroupVersion(value, path, "resource"u8, "resource");
        return new GroupVersionResource(group, version, resource);
    }

    /// <summary>A GroupVersionKind or GroupVersionResource object: group (empty for the core group), version, and the kind or resource.</summary>
    private static (string Group, string Version, string Name) ReadGroupVersion(JsonElement value, string path, ReadOnlySpan<byte> nameField, string nameFieldText)
    {
        ExpectObject(value, path);
        string? group = null, version = null, name = null;
        foreach (var property in value.EnumerateObject())
        {
            if (property.NameEquals("group"u8))
            {
                group = OptionalString(property.Value, new FieldPath(path, "group"));
            }
            else if (property.NameEquals("version"u8))
            {
                version = OptionalString(property.Value, new FieldPath(path, "version"));
            }
            else if (property.NameEquals(nameField))
            {
                name = OptionalString(property.Value, new FieldPath(path, nameFieldText));
            }
        }

        return (group ?? string.Empty, Required(version, new FieldPath(path, "version")), Required(name, new FieldPath(path, nameFieldText)));
    }

    private static AdmissionOperation ReadOperation(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            for (var i = 0; i < OperationNames.Length; i++)
            {
                if (value.ValueEquals(OperationNames[i]))
                {
                    return (AdmissionOperation)i;
                }
            }

            throw Invalid("$.request.operation", $"expected CREATE, UPDATE, DELETE or CONNECT, found '{value.GetString()}'");
        }

        throw Invalid("$.request.operation", $"expected a string, found {Describe(value.ValueKind)}");
    }

    private static AdmissionUserInfo? ReadUserInfo(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        ExpectObject(value, "$.request.userInfo");
        string? username = null, uid = null;
        List<string>? groups = null;
        Dictionary<string, IReadOnlyList<string>>? extra = null;
        foreach (var property in value.EnumerateObject())
        {
            if (property.NameEquals("username"u8))
            {
                username = OptionalString(property.Value, "$.request.userInfo.username");
            }
            else if (property.NameEquals("uid"u8))
            {
                uid = OptionalString(property.Value, "$.request.userInfo.uid");
            }
            else if (property.NameEquals("groups"u8))
            {
                groups = StringArray(property.Value, "$.request.userInfo.groups");
            }
            else if (property.NameEquals("extra"u8) && property.Value.ValueKind != JsonValueKind.Null)
            {
                ExpectObject(property.Value, "$.request.userInfo.extra");
                extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (var entry in property.Value.EnumerateObject())
                {
                    var key = entry.Name;
                    extra[key] = StringArray(entry.Value, new FieldPath("$.request.userInfo.extra", $"['{key}']", Bracketed: true)) ?? [];
                }
            }
        }

        return new AdmissionUserInfo(username ?? string.Empty, groups ?? [], NullIfEmpty(uid), extra);
    }

    private static List<string>? StringArray(JsonElement value, FieldPath path)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(path.ToString(), $"expected an array of strings, found {Describe(value.ValueKind)}");
        }

        var result = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw Invalid((path with { Index = result.Count }).ToString(), $"expected a string, found {Describe(item.ValueKind)}");
            }

            result.Add(Text(item, path with { Index = result.Count }));
        }

        return result;
    }

    /// <summary>A RawExtension: any JSON object; null means absent (as Go decodes it).</summary>
    private static JsonElement? RawObject(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value;

    private static void ExpectObject(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"expected an object, found {Describe(value.ValueKind)}");
        }
    }

    private static string? OptionalString(JsonElement value, FieldPath path) => value.ValueKind switch
    {
        JsonValueKind.String => Text(value, path),
        JsonValueKind.Null => null,
        _ => throw Invalid(path.ToString(), $"expected a string, found {Describe(value.ValueKind)}"),
    };

    /// <summary>A string's value; invalid UTF-8 (which the parser lets through until read) is named with its path.</summary>
    private static string Text(JsonElement value, FieldPath path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(path.ToString(), "the string is not valid UTF-8");
        }
    }

    private static string Required(string? value, FieldPath path) =>
        string.IsNullOrEmpty(value) ? throw Missing(path.ToString(), "required and empty or absent") : value;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static AdmissionReviewFormatException Missing(string path, string detail) =>
        new(AdmissionReviewProblem.MissingField, path, detail);

    private static AdmissionReviewFormatException Invalid(string path, string detail, AdmissionReviewProblem problem = AdmissionReviewProblem.InvalidField) =>
        new(problem, path, detail);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static void WriteKind(Utf8JsonWriter writer, ReadOnlySpan<byte> name, GroupVersionKind kind)
    {
        writer.WriteStartObject(name);
        writer.WriteString("group"u8, kind.Group);
        writer.WriteString("version"u8, kind.Version);
        writer.WriteString("kind"u8, kind.Kind);
        writer.WriteEndObject();
    }

    private static void WriteResource(Utf8JsonWriter writer, ReadOnlySpan<byte> name, GroupVersionResource resource)
    {
        writer.WriteStartObject(name);
        writer.WriteString("group"u8, resource.Group);
        writer.WriteString("version"u8, resource.Version);
        writer.WriteString("resource"u8, resource.Resource);
        writer.WriteEndObject();
    }

    private static void WriteOptionalString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteOptionalElement(Utf8JsonWriter writer, ReadOnlySpan<byte> name, JsonElement? value)
    {
        if (value is { } element)
        {
            writer.WritePropertyName(name);
            element.WriteTo(writer);
        }
    }

    /// <summary>
    /// A JSON path composed only when a problem is reported, so that reading a valid review builds no
    /// path strings: <c>Parent.Field[Index]</c>, or <c>Parent['key'][Index]</c> when bracketed.
    /// </summary>
    private readonly record struct FieldPath(string Parent, string? Field = null, int Index = -1, bool Bracketed = false)
    {
        public static implicit operator FieldPath(string path) => new(path);

        public override string ToString()
        {
            var field = Field is null ? string.Empty : Bracketed ? Field : "." + Field;
            var index = Index >= 0 ? $"[{Index.ToString(CultureInfo.InvariantCulture)}]" : string.Empty;
            return Parent + field + index;
        }
    }

    /// <summary>
    /// The cold path for a body <see cref="JsonDocument"/> refused: reads it again token by token, keeping
    /// the path, so the error says where it broke (<c>$.request.object.spec.containers[2]</c>) and whether
    /// it was broken JSON or nesting past the limit.
    /// </summary>
    private static class JsonSyntaxProblem
    {
        public static AdmissionReviewFormatException Locate(ReadOnlySpan<byte> utf8Json, int maxDepth)
        {
            // The reader is given room beyond the limit so that it, not an exception, reports the depth.
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
            var path = new List<Segment>();
            try
            {
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.PropertyName:
                            path[^1] = path[^1] with { Name = reader.GetString() };
                            break;
                        case JsonTokenType.StartObject:
                        case JsonTokenType.StartArray:
                            Advance(path);
                            if (reader.CurrentDepth >= maxDepth)
                            {
                                return new AdmissionReviewFormatException(AdmissionReviewProblem.TooDeep, Render(path),
                                    $"nesting deeper than {maxDepth} levels");
                            }

                            path.Add(new Segment(reader.TokenType == JsonTokenType.StartArray, -1, null));
                            break;
                        case JsonTokenType.EndObject:
                        case JsonTokenType.EndArray:
                            path.RemoveAt(path.Count - 1);
                            break;
                        default:
                            Advance(path);
                            break;
                    }
                }

                return new AdmissionReviewFormatException(AdmissionReviewProblem.MalformedJson, "$", "the body ends before the JSON value is complete");
            }
            catch (JsonException ex)
            {
                var truncated = IsValidPrefix(utf8Json, maxDepth);
                var detail = truncated
                    ? $"the JSON ends early at byte {utf8Json.Length.ToString(CultureInfo.InvariantCulture)} (truncated body?)"
                    : $"malformed JSON at byte {reader.BytesConsumed.ToString(CultureInfo.InvariantCulture)}: {FirstSentence(ex.Message)}";
                return new AdmissionReviewFormatException(AdmissionReviewProblem.MalformedJson, Render(path), detail);
            }
        }

        /// <summary>True when the bytes are the start of a valid JSON value that only lacks its end: a truncated body.</summary>
        private static bool IsValidPrefix(ReadOnlySpan<byte> utf8Json, int maxDepth)
        {
            var reader = new Utf8JsonReader(utf8Json, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth + 1 }));
            try
            {
                while (reader.Read())
                {
                }

                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>A value inside an array moves its index on.</summary>
        private static void Advance(List<Segment> path)
        {
            if (path.Count > 0 && path[^1].InArray)
            {
                path[^1] = path[^1] with { Index = path[^1].Index + 1 };
            }
        }

        private static string Render(List<Segment> path)
        {
            var text = new StringBuilder("$");
            foreach (var segment in path)
            {
                if (segment.InArray && segment.Index >= 0)
                {
                    text.Append('[').Append(segment.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
                else if (!segment.InArray && segment.Name is { } name)
                {
                    text.Append('.').Append(name);
                }
            }

            return text.ToString();
        }

        /// <summary>The reader's message up to its position note, which our own detail replaces.</summary>
        private static string FirstSentence(string message)
        {
            var end = message.IndexOf(" LineNumber", StringComparison.Ordinal);
            return (end > 0 ? message[..end] : message).TrimEnd();
        }

        private readonly record struct Segment(bool InArray, int Index, string? Name);
    }
}
