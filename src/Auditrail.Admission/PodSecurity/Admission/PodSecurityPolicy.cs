using System.Text.Json;

namespace Auditrail.Admission.PodSecurity;

/// <summary>The namespace labels PSA reads, and the audit annotation keys it writes.</summary>
public static class PodSecurityLabels
{
    public const string Prefix = "pod-security.kubernetes.io/";
    public const string Enforce = Prefix + "enforce";
    public const string EnforceVersion = Prefix + "enforce-version";
    public const string Audit = Prefix + "audit";
    public const string AuditVersion = Prefix + "audit-version";
    public const string Warn = Prefix + "warn";
    public const string WarnVersion = Prefix + "warn-version";

    /// <summary>
    /// Audit annotation keys, unprefixed as an admission webhook must return them: the apiserver prefixes
    /// them with the webhook's name, so a webhook named <c>pod-security.kubernetes.io</c> produces
    /// exactly the built-in controller's <c>pod-security.kubernetes.io/audit-violations</c> and friends.
    /// </summary>
    public const string EnforcePolicyAnnotation = "enforce-policy";
    public const string AuditViolationsAnnotation = "audit-violations";
    public const string ExemptAnnotation = "exempt";
    public const string ErrorAnnotation = "error";
}

/// <summary>What a namespace asks for in each mode: enforce (deny), audit (annotate the audit event) and warn (warn the client).</summary>
public readonly record struct PodSecurityPolicy(PodSecurityLevelVersion Enforce, PodSecurityLevelVersion Audit, PodSecurityLevelVersion Warn)
{
    private static readonly PodSecurityLevelVersion PrivilegedLatest = new(PodSecurityLevel.Privileged, PodSecurityVersion.Latest);

    /// <summary>privileged:latest in every mode: PSA's built-in default, which checks nothing.</summary>
    public static PodSecurityPolicy AllPrivileged { get; } = new(PrivilegedLatest, PrivilegedLatest, PrivilegedLatest);

    public bool FullyPrivileged =>
        Enforce.Level == PodSecurityLevel.Privileged && Audit.Level == PodSecurityLevel.Privileged && Warn.Level == PodSecurityLevel.Privileged;

    /// <summary>
    /// Resolves a namespace's labels over <paramref name="defaults"/> as PSA does: a label that is not
    /// set keeps the default; an invalid value is an error and fails safe: an invalid enforce level
    /// enforces restricted, an invalid audit or warn level turns that mode off (privileged), and an
    /// invalid version means latest. The policy returned is always usable; <paramref name="errors"/>
    /// lists the invalid labels in upstream's field-error wording.
    /// </summary>
    public static PodSecurityPolicy FromLabels(IReadOnlyDictionary<string, string?> labels, PodSecurityPolicy defaults, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var enforce = defaults.Enforce;
        var audit = defaults.Audit;
        var warn = defaults.Warn;
        if (labels.TryGetValue(PodSecurityLabels.Enforce, out var enforceLevel))
        {
            enforce = enforce with { Level = ParseLevel(PodSecurityLabels.Enforce, enforceLevel, PodSecurityLevel.Restricted, problems) };
        }

        if (labels.TryGetValue(PodSecurityLabels.EnforceVersion, out var enforceVersion))
        {
            enforce = enforce with { Version = ParseVersion(PodSecurityLabels.EnforceVersion, enforceVersion, problems) };
        }

        if (labels.TryGetValue(PodSecurityLabels.Audit, out var auditLevel))
        {
            audit = audit with { Level = ParseLevel(PodSecurityLabels.Audit, auditLevel, PodSecurityLevel.Privileged, problems) };
        }

        if (labels.TryGetValue(PodSecurityLabels.AuditVersion, out var auditVersion))
        {
            audit = audit with { Version = ParseVersion(PodSecurityLabels.AuditVersion, auditVersion, problems) };
        }

        if (labels.TryGetValue(PodSecurityLabels.Warn, out var warnLevel))
        {
            warn = warn with { Level = ParseLevel(PodSecurityLabels.Warn, warnLevel, PodSecurityLevel.Privileged, problems) };
        }

        if (labels.TryGetValue(PodSecurityLabels.WarnVersion, out var warnVersion))
        {
            warn = warn with { Version = ParseVersion(PodSecurityLabels.WarnVersion, warnVersion, problems) };
        }

        errors = problems;
        return new PodSecurityPolicy(enforce, audit, warn);
    }

    /// <summary>
    /// The Pod Security labels of a Namespace object (its <c>metadata.labels</c>); a label value that is
    /// not a string is kept as null, which every parser rejects, so it is reported rather than ignored.
    /// </summary>
    public static Dictionary<string, string?> LabelsOf(JsonElement? namespaceObject)
    {
        var labels = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (namespaceObject is { ValueKind: JsonValueKind.Object } ns
            && ns.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("labels", out var labelObject) && labelObject.ValueKind == JsonValueKind.Object)
        {
            foreach (var label in labelObject.EnumerateObject())
            {
                if (label.Name.StartsWith(PodSecurityLabels.Prefix, StringComparison.Ordinal))
                {
                    labels[label.Name] = label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString() : null;
                }
            }
        }

        return labels;
    }

    /// <summary>The form PSA's audit annotation uses: one error as is, several in brackets.</summary>
    public static string JoinErrors(IReadOnlyList<string> errors) => errors.Count == 1 ? errors[0] : $"[{string.Join(", ", errors)}]";

    private static PodSecurityLevel ParseLevel(string label, string? value, PodSecurityLevel onError, List<string> problems)
    {
        if (PodSecurityLevels.TryParse(value, out var level))
        {
            return level;
        }

        problems.Add($"metadata.labels[{label}]: Invalid value: {Shown(value)}: must be one of {PodSecurityLevels.ValidValues}");
        return onError;
    }

    private static PodSecurityVersion ParseVersion(string label, string? value, List<string> problems)
    {
        if (PodSecurityVersion.TryParse(value, out var version))
        {
            return version;
        }

        problems.Add($"metadata.labels[{label}]: Invalid value: {Shown(value)}: must be \"latest\" or \"v1.x\"");
        return PodSecurityVersion.Latest;
    }

    private static string Shown(string? value) => value is null ? "a non-string value" : Checks.CheckText.GoQuote(value);
}
