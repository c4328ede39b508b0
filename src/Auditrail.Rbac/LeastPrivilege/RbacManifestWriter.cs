using System.Text.Json;
using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.LeastPrivilege;

/// <summary>
/// Writes generated objects as rbac.authorization.k8s.io/v1 JSON, the shape kubectl applies: one
/// object at a time (a YAML document each), or all of them in a <c>v1 List</c>.
/// </summary>
public static class RbacManifestWriter
{
    private const string RbacApiVersion = RoleRef.RbacGroup + "/v1";

    /// <summary>A <c>v1 List</c> holding every object of <paramref name="generated"/>.</summary>
    public static void WriteList(Utf8JsonWriter writer, GeneratedRbac generated)
    {
        writer.WriteStartObject();
        writer.WriteString("apiVersion"u8, "v1");
        writer.WriteString("kind"u8, "List");
        writer.WriteStartArray("items"u8);
        foreach (var item in generated.Objects)
        {
            WriteObject(writer, item, generated);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>One Role, ClusterRole, RoleBinding or ClusterRoleBinding with the generation's labels and annotations.</summary>
    public static void WriteObject(Utf8JsonWriter writer, object item, GeneratedRbac generated)
    {
        writer.WriteStartObject();
        writer.WriteString("apiVersion"u8, RbacApiVersion);
        switch (item)
        {
            case RbacRole role:
                writer.WriteString("kind"u8, role.Kind);
                WriteMetadata(writer, role.Name, role.Namespace, generated);
                writer.WriteStartArray("rules"u8);
                foreach (var rule in role.Rules)
                {
                    WriteRule(writer, rule);
                }

                writer.WriteEndArray();
                break;
            case RbacBinding binding:
                writer.WriteString("kind"u8, binding.Kind);
                WriteMetadata(writer, binding.Name, binding.Namespace, generated);
                writer.WriteStartObject("roleRef"u8);
                writer.WriteString("apiGroup"u8, binding.RoleRef.ApiGroup);
                writer.WriteString("kind"u8, binding.RoleRef.Kind);
                writer.WriteString("name"u8, binding.RoleRef.Name);
                writer.WriteEndObject();
                writer.WriteStartArray("subjects"u8);
                foreach (var subject in binding.Subjects)
                {
                    WriteSubject(writer, subject);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"not an RBAC object: {item.GetType().Name}", nameof(item));
        }

        writer.WriteEndObject();
    }

    private static void WriteMetadata(Utf8JsonWriter writer, string name, string @namespace, GeneratedRbac generated)
    {
        writer.WriteStartObject("metadata"u8);
        writer.WriteString("name"u8, name);
        if (@namespace.Length > 0)
        {
            writer.WriteString("namespace"u8, @namespace);
        }

        WriteMap(writer, "labels"u8, generated.Labels);
        WriteMap(writer, "annotations"u8, generated.Annotations);
        writer.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter writer, ReadOnlySpan<byte> property, IReadOnlyDictionary<string, string> map)
    {
        if (map.Count == 0)
        {
            return;
        }

        writer.WriteStartObject(property);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter writer, PolicyRule rule)
    {
        writer.WriteStartObject();
        if (rule.NonResourceUrls.Count > 0)
        {
            WriteList(writer, "nonResourceURLs"u8, rule.NonResourceUrls);
        }
        else
        {
            WriteList(writer, "apiGroups"u8, rule.ApiGroups);
            WriteList(writer, "resources"u8, rule.Resources);
            if (rule.ResourceNames.Count > 0)
            {
                WriteList(writer, "resourceNames"u8, rule.ResourceNames);
            }
        }

        WriteList(writer, "verbs"u8, rule.Verbs);
        writer.WriteEndObject();
    }

    private static void WriteSubject(Utf8JsonWriter writer, RbacSubject subject)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, subject.Kind.ToString());
        // User and Group subjects belong to the RBAC group; a ServiceAccount subject to the core group, written without apiGroup.
        if (subject.Kind != SubjectKind.ServiceAccount)
        {
            writer.WriteString("apiGroup"u8, RoleRef.RbacGroup);
        }

        writer.WriteString("name"u8, subject.Name);
        if (subject.Kind == SubjectKind.ServiceAccount)
        {
            writer.WriteString("namespace"u8, subject.Namespace);
        }

        writer.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter writer, ReadOnlySpan<byte> property, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(property);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
