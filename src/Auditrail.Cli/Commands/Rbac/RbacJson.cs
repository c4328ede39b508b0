using System.Text.Json;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.Model;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary>The JSON (and YAML) shapes the rbac verbs share: a request, a rule, a grant.</summary>
internal static class RbacJson
{
    public static void WriteRequest(Utf8JsonWriter writer, RequestAttributes request)
    {
        writer.WriteStartObject("request");
        writer.WriteString("verb", request.Verb);
        if (request.IsResourceRequest)
        {
            writer.WriteString("apiGroup", request.ApiGroup);
            writer.WriteString("resource", request.Resource);
            writer.WriteString("subresource", request.Subresource);
            writer.WriteString("name", request.Name);
            writer.WriteString("namespace", request.Namespace);
        }
        else
        {
            writer.WriteString("path", request.Path);
        }

        writer.WriteEndObject();
    }

    public static void WriteGrant(Utf8JsonWriter writer, RbacGrant grant)
    {
        writer.WriteStartObject("subject");
        writer.WriteString("kind", grant.Subject.Kind.ToString());
        writer.WriteString("name", grant.Subject.Name);
        if (grant.Subject.Kind == SubjectKind.ServiceAccount)
        {
            writer.WriteString("namespace", grant.Subject.EffectiveNamespace(grant.Binding.Namespace));
        }

        writer.WriteEndObject();
        WriteObjectStart(writer, "binding", grant.Binding.Kind, grant.Binding.Name, grant.Binding.Namespace, grant.Binding.Source);
        writer.WriteEndObject();
        WriteObjectStart(writer, "role", grant.Role.Kind, grant.Role.Name, grant.Role.Namespace, grant.Role.Source);
        if (grant.Role.AggregatedFrom.Count > 0)
        {
            WriteStrings(writer, "aggregatedFrom", grant.Role.AggregatedFrom);
        }

        writer.WriteEndObject();
        writer.WriteNumber("ruleIndex", grant.RuleIndex);
        WriteRule(writer, grant.Rule);
    }

    /// <summary>Opens an object naming a Kubernetes object and where it was read; the caller may add fields, then closes it.</summary>
    private static void WriteObjectStart(Utf8JsonWriter writer, string property, string kind, string name, string @namespace, ManifestLocation source)
    {
        writer.WriteStartObject(property);
        writer.WriteString("kind", kind);
        writer.WriteString("name", name);
        writer.WriteString("namespace", @namespace);
        writer.WriteString("source", source.ToString());
    }

    internal static void WriteRule(Utf8JsonWriter writer, PolicyRule rule)
    {
        writer.WriteStartObject("rule");
        WriteStrings(writer, "verbs", rule.Verbs);
        if (rule.NonResourceUrls.Count > 0)
        {
            WriteStrings(writer, "nonResourceURLs", rule.NonResourceUrls);
        }
        else
        {
            WriteStrings(writer, "apiGroups", rule.ApiGroups);
            WriteStrings(writer, "resources", rule.Resources);
        }

        if (rule.ResourceNames.Count > 0)
        {
            WriteStrings(writer, "resourceNames", rule.ResourceNames);
        }

        if (rule.Source.Line > 0)
        {
            writer.WriteString("source", rule.Source.ToString());
        }

        writer.WriteEndObject();
    }

    public static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
