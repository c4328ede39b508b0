using System.Text.Json;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Tests.Support;

/// <summary>Builds admission requests and contexts for tests.</summary>
internal static class Requests
{
    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static AdmissionRequest Pod(string json, string? ns = "team-a", AdmissionOperation operation = AdmissionOperation.Create,
        string user = "alice", string[]? groups = null, string? oldJson = null) => new()
        {
            Uid = "uid-1",
            Kind = new GroupVersionKind(string.Empty, "v1", "Pod"),
            Resource = new GroupVersionResource(string.Empty, "v1", "pods"),
            Name = "p",
            Namespace = ns,
            Operation = operation,
            UserInfo = new AdmissionUserInfo(user, groups ?? ["system:authenticated"]),
            Object = operation == AdmissionOperation.Delete ? null : Json(json),
            OldObject = oldJson is null ? null : Json(oldJson),
        };

    public static AdmissionRequest Of(string group, string version, string kind, string resource, string json, string? ns = "team-a") => new()
    {
        Uid = "uid-2",
        Kind = new GroupVersionKind(group, version, kind),
        Resource = new GroupVersionResource(group, version, resource),
        Name = "o",
        Namespace = ns,
        Operation = AdmissionOperation.Create,
        UserInfo = new AdmissionUserInfo("alice", ["system:authenticated"]),
        Object = Json(json),
    };

    public static AdmissionContext Namespaces(params (string Name, string LabelsJson)[] namespaces) =>
        new(new FixedNamespaces(namespaces.ToDictionary(n => n.Name, n => Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{n.Name}}}","labels":{{{n.LabelsJson}}}}}"""))));

    /// <summary>Loads guardrails from text and fails the test on any diagnostic.</summary>
    public static GuardrailSet Guardrails(string yaml)
    {
        var set = GuardrailSet.FromText(yaml, "test.yaml");
        Assert.Empty(set.Diagnostics);
        return set;
    }

    public static AdmissionPipeline Pipeline(GuardrailSet set, AdmissionContext? context = null) =>
        new(context ?? AdmissionPipeline.EmptyContext, set.Guardrails.Where(g => g.HasValidations), set.Guardrails.Where(g => g.HasMutations));

    /// <summary>A guardrail document around a spec body (indented by the caller as under <c>spec:</c>).</summary>
    public static string Guardrail(string name, string spec) => $"""
        apiVersion: auditrail.io/v1alpha1
        kind: Guardrail
        metadata:
          name: {name}
        spec:
        {spec}
        """;

    private sealed class FixedNamespaces(Dictionary<string, JsonElement> namespaces) : INamespaceSource
    {
        public JsonElement? FindNamespace(string name) => namespaces.TryGetValue(name, out var ns) ? ns : null;
    }
}
