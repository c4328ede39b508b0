using System.Globalization;
using System.Text.Json;
using Auditrail.LogGenerator.Infrastructure;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>Pieces every Kubernetes object shares: type, metadata, labels, owner references, times.</summary>
internal static class ObjectJson
{
    public static void TypeMeta(Utf8JsonWriter w, string kind, string apiVersion)
    {
        w.WriteString("kind"u8, kind);
        w.WriteString("apiVersion"u8, apiVersion);
    }

    public static void TypeMeta(Utf8JsonWriter w, ApiResource resource) => TypeMeta(w, resource.Kind, resource.ApiVersion);

    /// <summary>A second-precision RFC 3339 time, how metav1.Time prints.</summary>
    public static void Time(Utf8JsonWriter w, ReadOnlySpan<byte> property, long micros)
    {
        Span<byte> text = stackalloc byte[MicroTime.SecondLength];
        MicroTime.FormatSeconds(micros, text);
        w.WriteString(property, text);
    }

    /// <summary>A microsecond RFC 3339 time, how metav1.MicroTime prints (Lease renewTime, Event eventTime).</summary>
    public static void MicroTimeValue(Utf8JsonWriter w, ReadOnlySpan<byte> property, long micros)
    {
        Span<byte> text = stackalloc byte[MicroTime.MicroLength];
        MicroTime.FormatMicro(micros, text);
        w.WriteString(property, text);
    }

    public static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> property, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        w.WriteString(property, digits[..length]);
    }

    /// <summary>Opens an object of the resource's kind and its metadata (see <see cref="StartMetadata"/>).</summary>
    public static void Begin(
        Utf8JsonWriter w, ApiResource resource, AuditRequest r, string? name, bool stored, string? generateName = null, string? uid = null, long generation = 0)
    {
        w.WriteStartObject();
        TypeMeta(w, resource);
        StartMetadata(w, r, name, stored, generateName, uid, generation);
    }

    /// <summary>The metadata of an object a request refers to without storing it (Binding, Eviction).</summary>
    public static void ReferenceMetadata(Utf8JsonWriter w, string name, string ns, string? uid = null)
    {
        w.WriteStartObject("metadata"u8);
        w.WriteString("name"u8, name);
        w.WriteString("namespace"u8, ns);
        if (uid is not null)
        {
            w.WriteString("uid"u8, uid);
        }

        w.WriteNull("creationTimestamp"u8);
        w.WriteEndObject();
    }

    /// <summary>
    /// Opens <c>metadata</c> and writes its identity. A request body has no uid or resourceVersion (a create
    /// has <c>creationTimestamp: null</c>); a stored object has all of them. The caller adds labels and closes.
    /// </summary>
    public static void StartMetadata(
        Utf8JsonWriter w, AuditRequest r, string? name, bool stored, string? generateName = null, string? uid = null, long generation = 0)
    {
        w.WriteStartObject("metadata"u8);
        if (name is not null)
        {
            w.WriteString("name"u8, name);
        }

        if (generateName is not null)
        {
            w.WriteString("generateName"u8, generateName);
        }

        if (r.Namespace is { } ns && r.Resource is { Namespaced: true })
        {
            w.WriteString("namespace"u8, ns);
        }

        if (stored)
        {
            w.WriteString("uid"u8, uid ?? ObjectUid(r));
            Number(w, "resourceVersion"u8, Math.Max(r.NewResourceVersion, r.ObjectResourceVersion));
            if (generation > 0)
            {
                w.WriteNumber("generation"u8, generation);
            }

            Time(w, "creationTimestamp"u8, CreatedAt(r));
        }
        else if (r.Verb == Verbs.Create)
        {
            w.WriteNull("creationTimestamp"u8);
        }
    }

    /// <summary>The object's uid: known for pods and updates, otherwise derived from the auditID so it is stable.</summary>
    public static string ObjectUid(AuditRequest r) =>
        r.ObjectUid ?? r.Pod?.Uid.ToString() ?? Uuid.Version4(r.AuditId.Low ^ 0x5bd1e995UL, r.AuditId.High).ToString();

    /// <summary>New objects are created by this request; older ones were created some days before it.</summary>
    public static long CreatedAt(AuditRequest r) => r.Verb == Verbs.Create
        ? r.ReceivedMicros
        : r.Pod?.CreatedMicros ?? r.ReceivedMicros - (long)(r.AuditId.Low % (ulong)(60 * MicroTime.PerDay));

    /// <summary>Labels are a Go map, so keys are written sorted.</summary>
    public static void Labels(Utf8JsonWriter w, Workload workload, string? extraKey = null, string? extraValue = null)
    {
        w.WriteStartObject("labels"u8);
        w.WriteString("app.kubernetes.io/name"u8, workload.Label);
        w.WriteString("app.kubernetes.io/part-of"u8, workload.Namespace);
        if (extraKey is not null)
        {
            w.WriteString(extraKey, extraValue);
        }

        w.WriteEndObject();
    }

    public static void OwnerReference(Utf8JsonWriter w, string apiVersion, string kind, string name, string uid)
    {
        w.WriteStartArray("ownerReferences"u8);
        w.WriteStartObject();
        w.WriteString("apiVersion"u8, apiVersion);
        w.WriteString("kind"u8, kind);
        w.WriteString("name"u8, name);
        w.WriteString("uid"u8, uid);
        w.WriteBoolean("controller"u8, true);
        w.WriteBoolean("blockOwnerDeletion"u8, true);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary>One managedFields entry; <paramref name="fieldsV1"/> is pre-rendered JSON.</summary>
    public static void ManagedField(
        Utf8JsonWriter w, string manager, string operation, string apiVersion, long micros, ReadOnlySpan<byte> fieldsV1, string? subresource = null)
    {
        w.WriteStartObject();
        w.WriteString("manager"u8, manager);
        w.WriteString("operation"u8, operation);
        w.WriteString("apiVersion"u8, apiVersion);
        Time(w, "time"u8, micros);
        w.WriteString("fieldsType"u8, "FieldsV1"u8);
        w.WritePropertyName("fieldsV1"u8);
        w.WriteRawValue(fieldsV1, skipInputValidation: true);
        if (subresource is not null)
        {
            w.WriteString("subresource"u8, subresource);
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// JSON written in C# source with ' for quotes and ` for escaped quotes, so long fragments read and wrap as
    /// plain strings. Converted once, when the fragment is first needed.
    /// </summary>
    public static string Json(string template) => template.Replace("`", "\\\"", StringComparison.Ordinal).Replace('\'', '"');

    public static byte[] JsonBytes(string template) => System.Text.Encoding.UTF8.GetBytes(Json(template));

    /// <summary>
    /// A managedFields fieldsV1 template (see <see cref="Json"/>) with its CONTAINER and OWNER_UID filled in,
    /// rendered once per workload and image.
    /// </summary>
    public static byte[] FieldsV1(Workload workload, string purpose, string template, string ownerUid = "") =>
        PodSpecJson.Render(workload, purpose, f => f.WriteRawValue(
            JsonBytes(template.Replace("CONTAINER", workload.Container, StringComparison.Ordinal).Replace("OWNER_UID", ownerUid, StringComparison.Ordinal)),
            skipInputValidation: true));

    public static void Raw(Utf8JsonWriter w, ReadOnlySpan<byte> property, ReadOnlySpan<byte> json)
    {
        w.WritePropertyName(property);
        w.WriteRawValue(json, skipInputValidation: true);
    }

    public static void EmptyObject(Utf8JsonWriter w, ReadOnlySpan<byte> property)
    {
        w.WriteStartObject(property);
        w.WriteEndObject();
    }

    public static void StringArray(Utf8JsonWriter w, ReadOnlySpan<byte> property, params ReadOnlySpan<string> values)
    {
        w.WriteStartArray(property);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
