using System.Text.Json;

namespace Auditrail.Admission.Review;

/// <summary>The operation an admission request asks for, as AdmissionReview spells it.</summary>
public enum AdmissionOperation
{
    Create,
    Update,
    Delete,
    Connect,
}

public sealed record GroupVersionKind(string Group, string Version, string Kind);

public sealed record GroupVersionResource(string Group, string Version, string Resource);

/// <summary>Who sent the request, as the apiserver authenticated them.</summary>
public sealed record AdmissionUserInfo(
    string Username,
    IReadOnlyList<string> Groups,
    string? Uid = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null);

/// <summary>
/// One admission request, independent of its wire format: the server decodes AdmissionReview v1 and
/// v1beta1 into it, the offline commands build it from manifests, and replay builds it from the request
/// objects recorded in audit events. Checks only read it.
/// </summary>
public sealed record AdmissionRequest
{
    public required string Uid { get; init; }

    public required GroupVersionKind Kind { get; init; }

    public required GroupVersionResource Resource { get; init; }

    public string? SubResource { get; init; }

    public string? Name { get; init; }

    /// <summary>Null or empty for cluster-scoped objects.</summary>
    public string? Namespace { get; init; }

    public required AdmissionOperation Operation { get; init; }

    public required AdmissionUserInfo UserInfo { get; init; }

    /// <summary>The object after the operation; absent for DELETE.</summary>
    public JsonElement? Object { get; init; }

    /// <summary>The object before the operation; present for UPDATE and DELETE.</summary>
    public JsonElement? OldObject { get; init; }

    public bool DryRun { get; init; }

    /// <summary>CreateOptions, UpdateOptions or DeleteOptions, when sent.</summary>
    public JsonElement? Options { get; init; }
}
