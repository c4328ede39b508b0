using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Review;

namespace Auditrail.Server.Tests.Support;

/// <summary>
/// A real, small reviewer for the HTTP tests: validation denies Pods without a <c>team</c> label (403,
/// with the pod's name in the message) and warns on the <c>latest</c> image tag; mutation stamps the
/// <c>auditrail.io/reviewed</c> label, creating the labels map when the object has none.
/// </summary>
internal sealed class TeamLabelReviewer : IAdmissionReviewer
{
    public const string ReviewedLabel = "auditrail.io/reviewed";

    public AdmissionVerdict Validate(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind.Kind != "Pod" || request.Object is not { } pod)
        {
            return new AdmissionVerdict { Allowed = true };
        }

        var warnings = new List<string>();
        if (pod.TryGetProperty("spec"u8, out var spec) && spec.TryGetProperty("containers"u8, out var containers))
        {
            foreach (var container in containers.EnumerateArray())
            {
                var image = container.GetProperty("image"u8).GetString()!;
                if (image.EndsWith(":latest", StringComparison.Ordinal) || !image.Contains(':', StringComparison.Ordinal))
                {
                    warnings.Add($"container {container.GetProperty("name"u8).GetString()} uses the latest tag");
                }
            }
        }

        if (Labels(pod) is { } labels && labels.TryGetProperty("team"u8, out _))
        {
            return new AdmissionVerdict { Allowed = true, Warnings = warnings };
        }

        return new AdmissionVerdict
        {
            Allowed = false,
            Code = 403,
            Reason = "Forbidden",
            Message = $"pod {request.Name ?? "(generated)"} has no team label",
            Warnings = warnings,
            AuditAnnotations = new Dictionary<string, string> { ["denied-by"] = "team-label" },
        };
    }

    public AdmissionVerdict Mutate(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Object is not { } obj)
        {
            return new AdmissionVerdict { Allowed = true };
        }

        JsonPatchOperation operation = Labels(obj) is null
            ? new("add", "/metadata/labels", new JsonObject { [ReviewedLabel] = "true" })
            : new("add", "/metadata/labels/" + ReviewedLabel.Replace("/", "~1", StringComparison.Ordinal), JsonValue.Create("true"));
        return new AdmissionVerdict { Allowed = true, Patch = [operation] };
    }

    private static JsonElement? Labels(JsonElement obj) =>
        obj.TryGetProperty("metadata"u8, out var metadata) && metadata.TryGetProperty("labels"u8, out var labels) && labels.ValueKind == JsonValueKind.Object
            ? labels
            : null;
}
