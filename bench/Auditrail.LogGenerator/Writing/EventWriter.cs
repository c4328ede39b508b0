using System.Text.Json;
using Auditrail.LogGenerator.Bodies;
using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Writing;

/// <summary>
/// Writes one audit.k8s.io/v1 Event per line, fields in the order of the Go struct (kind and apiVersion first,
/// annotations last) and empty fields omitted, as the apiserver's log backend does.
/// </summary>
internal sealed class EventWriter
{
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText ApiVersion = JsonEncodedText.Encode("apiVersion");
    private static readonly JsonEncodedText Event = JsonEncodedText.Encode("Event");
    private static readonly JsonEncodedText AuditV1 = JsonEncodedText.Encode("audit.k8s.io/v1");
    private static readonly JsonEncodedText Level = JsonEncodedText.Encode("level");
    private static readonly JsonEncodedText AuditId = JsonEncodedText.Encode("auditID");
    private static readonly JsonEncodedText Stage = JsonEncodedText.Encode("stage");
    private static readonly JsonEncodedText RequestUri = JsonEncodedText.Encode("requestURI");
    private static readonly JsonEncodedText Verb = JsonEncodedText.Encode("verb");
    private static readonly JsonEncodedText User = JsonEncodedText.Encode("user");
    private static readonly JsonEncodedText ImpersonatedUser = JsonEncodedText.Encode("impersonatedUser");
    private static readonly JsonEncodedText SourceIps = JsonEncodedText.Encode("sourceIPs");
    private static readonly JsonEncodedText UserAgent = JsonEncodedText.Encode("userAgent");
    private static readonly JsonEncodedText ObjectRef = JsonEncodedText.Encode("objectRef");
    private static readonly JsonEncodedText Resource = JsonEncodedText.Encode("resource");
    private static readonly JsonEncodedText Namespace = JsonEncodedText.Encode("namespace");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Uid = JsonEncodedText.Encode("uid");
    private static readonly JsonEncodedText ApiGroup = JsonEncodedText.Encode("apiGroup");
    private static readonly JsonEncodedText ResourceVersion = JsonEncodedText.Encode("resourceVersion");
    private static readonly JsonEncodedText Subresource = JsonEncodedText.Encode("subresource");
    private static readonly JsonEncodedText ResponseStatus = JsonEncodedText.Encode("responseStatus");
    private static readonly JsonEncodedText RequestObject = JsonEncodedText.Encode("requestObject");
    private static readonly JsonEncodedText ResponseObject = JsonEncodedText.Encode("responseObject");
    private static readonly JsonEncodedText RequestReceivedTimestamp = JsonEncodedText.Encode("requestReceivedTimestamp");
    private static readonly JsonEncodedText StageTimestamp = JsonEncodedText.Encode("stageTimestamp");
    private static readonly JsonEncodedText Annotations = JsonEncodedText.Encode("annotations");
    private static readonly JsonEncodedText[] Levels = [.. Enum.GetNames<AuditLevel>().Select(n => JsonEncodedText.Encode(n))];
    private static readonly JsonEncodedText[] Stages = [.. Enum.GetNames<AuditStage>().Select(n => JsonEncodedText.Encode(n))];
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private const string DecisionKey = "authorization.k8s.io/decision";
    private const string ReasonKey = "authorization.k8s.io/reason";

    private readonly OutputBuffer _output;
    private readonly Utf8JsonWriter _json;
    private KeyValuePair<string, string>[] _annotations = new KeyValuePair<string, string>[8];

    public EventWriter(OutputBuffer output)
    {
        _output = output;
        _json = new Utf8JsonWriter(output, JsonOutput.WriterOptions);
    }

    public void Write(AuditRequest r, AuditStage stage, long stageMicros)
    {
        var w = _json;
        var received = stage == AuditStage.RequestReceived;
        w.WriteStartObject();
        w.WriteString(Kind, Event);
        w.WriteString(ApiVersion, AuditV1);
        w.WriteString(Level, Levels[(int)r.Level]);
        Span<byte> id = stackalloc byte[Uuid.Length];
        r.AuditId.Format(id);
        w.WriteString(AuditId, id);
        w.WriteString(Stage, Stages[(int)stage]);
        GoStrings.WriteString(w, RequestUri, r.RequestUri);
        w.WriteString(Verb, r.Verb);
        w.WritePropertyName(User);
        w.WriteRawValue(r.User?.UserJson ?? EmptyObject, skipInputValidation: true);

        // Impersonation is resolved by a filter that runs after RequestReceived has been emitted.
        if (r.Impersonated is { } impersonated && !received)
        {
            w.WritePropertyName(ImpersonatedUser);
            w.WriteRawValue(impersonated.UserJson, skipInputValidation: true);
        }

        w.WritePropertyName(SourceIps);
        w.WriteRawValue(r.SourceIpsJson, skipInputValidation: true);
        if (r.UserAgent is { Length: > 0 } agent)
        {
            w.WriteString(UserAgent, agent);
        }
        else if (r.UserAgent is null && r.User is { } user)
        {
            w.WriteString(UserAgent, user.UserAgentText);
        }

        if (r.Resource is not null)
        {
            WriteObjectRef(r, received);
        }

        if (!received)
        {
            w.WritePropertyName(ResponseStatus);
            StatusJson.Write(w, r, stage, asObject: false);
        }

        if (stage is AuditStage.ResponseComplete or AuditStage.Panic && r.Level != AuditLevel.Metadata)
        {
            WriteBodies(r, stage);
        }

        WriteTime(RequestReceivedTimestamp, r.ReceivedMicros);
        WriteTime(StageTimestamp, stageMicros);
        if (!received)
        {
            WriteAnnotations(r);
        }

        w.WriteEndObject();
        w.Flush();
        _output.WriteByte((byte)'\n');
        w.Reset();
    }

    private void WriteObjectRef(AuditRequest r, bool received)
    {
        var w = _json;
        var resource = r.Resource!;
        w.WriteStartObject(ObjectRef);
        w.WriteString(Resource, resource.Resource);
        if (r.Namespace is { } ns)
        {
            w.WriteString(Namespace, ns);
        }

        // Names, uids and resourceVersions that only the body carries appear once the body has been decoded.
        if ((r.Name ?? (received ? null : r.BodyName)) is { } name)
        {
            w.WriteString(Name, name);
        }

        if (!received && r.ObjectUid is { } uid)
        {
            w.WriteString(Uid, uid);
        }

        if (resource.Group.Length > 0)
        {
            w.WriteString(ApiGroup, resource.Group);
        }

        w.WriteString(ApiVersion, resource.Version);
        if (!received && r.ObjectResourceVersion > 0)
        {
            Span<byte> digits = stackalloc byte[20];
            r.ObjectResourceVersion.TryFormat(digits, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
            w.WriteString(ResourceVersion, digits[..length]);
        }

        if (r.Subresource is { } subresource)
        {
            w.WriteString(Subresource, subresource);
        }

        w.WriteEndObject();
    }

    private void WriteBodies(AuditRequest r, AuditStage stage)
    {
        // Authentication and authorization run before the body is read; a refused request never logs one.
        if (r.FailedAuthentication || !r.Allowed)
        {
            return;
        }

        var w = _json;
        var body = r.Body ?? (Verbs.IsWrite(r.Verb) ? GenericBody.Instance : null);
        if (body is not null)
        {
            w.WritePropertyName(RequestObject);
            body.WriteRequest(w, r);
        }

        if (stage != AuditStage.ResponseComplete || r.Level != AuditLevel.RequestResponse)
        {
            return;
        }

        if (r.Failed)
        {
            w.WritePropertyName(ResponseObject);
            StatusJson.Write(w, r, stage, asObject: true);
        }
        else if (body is not null && body.HasResponse(r))
        {
            w.WritePropertyName(ResponseObject);
            body.WriteResponse(w, r);
        }
    }

    private void WriteTime(JsonEncodedText property, long micros)
    {
        Span<byte> text = stackalloc byte[MicroTime.MicroLength];
        MicroTime.FormatMicro(micros, text);
        _json.WriteString(property, text);
    }

    /// <summary>Annotations are a Go map: the log shows them sorted by key.</summary>
    private void WriteAnnotations(AuditRequest r)
    {
        var count = 0;
        if (r.Authorized)
        {
            Add(ref count, new(DecisionKey, r.Allowed ? "allow" : "forbid"));
            Add(ref count, new(ReasonKey, r.Reason));
        }

        foreach (var annotation in r.Annotations)
        {
            // Webhook patches are only recorded at Request level and above.
            if (r.Level != AuditLevel.Metadata || !annotation.Key.StartsWith("patch.webhook", StringComparison.Ordinal))
            {
                Add(ref count, annotation);
            }
        }

        if (count == 0)
        {
            return;
        }

        var items = _annotations.AsSpan(0, count);
        items.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var w = _json;
        w.WriteStartObject(Annotations);
        foreach (var (key, value) in items)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    private void Add(ref int count, KeyValuePair<string, string> annotation)
    {
        if (count == _annotations.Length)
        {
            Array.Resize(ref _annotations, count * 2);
        }

        _annotations[count++] = annotation;
    }
}
