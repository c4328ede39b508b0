using System.Text.Json;
using Auditrail.Admission.PodSecurity.Input;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.PodSecurity;

/// <summary>What a request is to Pod Security: a pod, a workload carrying a pod template, a namespace, or nothing it checks.</summary>
internal enum PodSecurityTarget
{
    None,
    Pod,
    Template,
    Namespace,
}

/// <summary>
/// The resources PSA checks and where their pod sits: the pod itself, or the template of a workload
/// (the same list as upstream's default pod spec extractor, which includes PodTemplates).
/// </summary>
internal static class PodTemplates
{
    /// <summary>The template's metadata path and spec path for each workload resource.</summary>
    private static readonly Dictionary<(string Group, string Resource), string> TemplatePaths = new()
    {
        [("", "replicationcontrollers")] = "spec.template",
        [("", "podtemplates")] = "template",
        [("apps", "replicasets")] = "spec.template",
        [("apps", "deployments")] = "spec.template",
        [("apps", "statefulsets")] = "spec.template",
        [("apps", "daemonsets")] = "spec.template",
        [("batch", "jobs")] = "spec.template",
        [("batch", "cronjobs")] = "spec.jobTemplate.spec.template",
    };

    public static PodSecurityTarget Classify(GroupVersionResource resource) => (resource.Group, resource.Resource) switch
    {
        ("", "pods") => PodSecurityTarget.Pod,
        ("", "namespaces") => PodSecurityTarget.Namespace,
        var key when TemplatePaths.ContainsKey(key) => PodSecurityTarget.Template,
        _ => PodSecurityTarget.None,
    };

    /// <summary>
    /// Finds the pod in <paramref name="obj"/> and decodes it. Null when a workload has no template (an
    /// optional one left out), which leaves nothing to check, as upstream. <paramref name="specPath"/>
    /// names the pod spec's place in the object, for findings.
    /// </summary>
    public static PodSecurityInput? Read(GroupVersionResource resource, JsonElement obj, out string specPath)
    {
        if (Classify(resource) == PodSecurityTarget.Pod)
        {
            specPath = "spec";
            return obj.ValueKind == JsonValueKind.Object
                ? PodSecurityInputReader.Read(Child(obj, "metadata"), "metadata", Child(obj, "spec"), "spec")
                : PodSecurityInputReader.Malformed("$", $"expected a Pod object, found {PodSecurityInputReader.Describe(obj.ValueKind)}");
        }

        var templatePath = TemplatePaths[(resource.Group, resource.Resource)];
        specPath = $"{templatePath}.spec";
        var current = obj;
        var walked = "$";
        foreach (var step in templatePath.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object)
            {
                return PodSecurityInputReader.Malformed(walked, $"expected an object, found {PodSecurityInputReader.Describe(current.ValueKind)}");
            }

            if (!current.TryGetProperty(step, out current) || current.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            walked = walked == "$" ? step : $"{walked}.{step}";
        }

        return current.ValueKind == JsonValueKind.Object
            ? PodSecurityInputReader.Read(Child(current, "metadata"), $"{templatePath}.metadata", Child(current, "spec"), specPath)
            : PodSecurityInputReader.Malformed(templatePath, $"expected a pod template object, found {PodSecurityInputReader.Describe(current.ValueKind)}");
    }

    private static JsonElement Child(JsonElement obj, string name) => obj.TryGetProperty(name, out var value) ? value : default;
}
