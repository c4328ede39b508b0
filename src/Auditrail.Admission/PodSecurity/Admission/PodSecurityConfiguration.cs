using System.Text.Json;

namespace Auditrail.Admission.PodSecurity;

/// <summary>
/// How <see cref="PodSecurityAdmissionCheck"/> behaves where namespaces say nothing, and whom it never
/// checks. It mirrors the PodSecurity admission plugin's <c>PodSecurityConfiguration</c>
/// (pod-security.admission.config.k8s.io), plus one switch of ours.
/// </summary>
public sealed record PodSecurityConfiguration
{
    /// <summary>The policy for namespaces without Pod Security labels (and for labels a namespace leaves out); all privileged:latest by default, as upstream.</summary>
    public PodSecurityPolicy Defaults { get; init; } = PodSecurityPolicy.AllPrivileged;

    /// <summary>Authenticated usernames whose requests are never checked (controllers' service accounts are not: their pods come from templates).</summary>
    public IReadOnlyList<string> ExemptUsernames { get; init; } = [];

    public IReadOnlyList<string> ExemptNamespaces { get; init; } = [];

    /// <summary>Pods using one of these runtimeClassNames are not checked.</summary>
    public IReadOnlyList<string> ExemptRuntimeClasses { get; init; } = [];

    /// <summary>
    /// Deny workload objects (Deployments, Jobs…) whose pod template violates the enforce level. Off by
    /// default, as in PSA, which only warns and audits on templates: the pods themselves are denied
    /// when the controller creates them. On, a bad template is refused at the door instead.
    /// </summary>
    public bool EnforceOnTemplates { get; init; }

    /// <summary>
    /// Reads an upstream <c>PodSecurityConfiguration</c> document (apiVersion
    /// pod-security.admission.config.k8s.io/v1, v1beta1 or v1alpha1): <c>defaults</c> with
    /// <c>enforce</c>, <c>enforce-version</c>, <c>audit</c>, <c>audit-version</c>, <c>warn</c>,
    /// <c>warn-version</c>, and <c>exemptions</c> with <c>usernames</c>, <c>namespaces</c>,
    /// <c>runtimeClasses</c>. Every problem is reported with its JSON path.
    /// </summary>
    public static bool TryParse(JsonElement document, out PodSecurityConfiguration configuration, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        configuration = new PodSecurityConfiguration();
        if (document.ValueKind != JsonValueKind.Object)
        {
            errors = ["$: expected a PodSecurityConfiguration object"];
            return false;
        }

        if (Text(document, "kind", "$", problems) is { } kind && kind != "PodSecurityConfiguration")
        {
            problems.Add($"$.kind: expected PodSecurityConfiguration, found \"{kind}\"");
        }

        if (Text(document, "apiVersion", "$", problems) is { } apiVersion
            && apiVersion is not ("pod-security.admission.config.k8s.io/v1" or "pod-security.admission.config.k8s.io/v1beta1" or "pod-security.admission.config.k8s.io/v1alpha1"))
        {
            problems.Add($"$.apiVersion: expected pod-security.admission.config.k8s.io/v1, found \"{apiVersion}\"");
        }

        var defaults = PodSecurityPolicy.AllPrivileged;
        if (Section(document, "defaults", problems) is { } section)
        {
            defaults = new PodSecurityPolicy(
                LevelVersion(section, "enforce", problems),
                LevelVersion(section, "audit", problems),
                LevelVersion(section, "warn", problems));
        }

        configuration = configuration with { Defaults = defaults };
        if (Section(document, "exemptions", problems) is { } exemptions)
        {
            configuration = configuration with
            {
                ExemptUsernames = Names(exemptions, "usernames", problems),
                ExemptNamespaces = Names(exemptions, "namespaces", problems),
                ExemptRuntimeClasses = Names(exemptions, "runtimeClasses", problems),
            };
        }

        errors = problems;
        return problems.Count == 0;
    }

    private static JsonElement? Section(JsonElement document, string name, List<string> problems)
    {
        if (!document.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"$.{name}: expected an object");
            return null;
        }

        return value;
    }

    private static string? Text(JsonElement obj, string name, string path, List<string> problems)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{path}.{name}: expected a string");
            return null;
        }

        return value.GetString();
    }

    private static PodSecurityLevelVersion LevelVersion(JsonElement defaults, string mode, List<string> problems)
    {
        var level = PodSecurityLevel.Privileged;
        if (Text(defaults, mode, "$.defaults", problems) is { } levelText && !PodSecurityLevels.TryParse(levelText, out level))
        {
            problems.Add($"$.defaults.{mode}: invalid level \"{levelText}\": must be one of {PodSecurityLevels.ValidValues}");
        }

        var version = PodSecurityVersion.Latest;
        if (Text(defaults, $"{mode}-version", "$.defaults", problems) is { } versionText && !PodSecurityVersion.TryParse(versionText, out version))
        {
            problems.Add($"$.defaults.{mode}-version: invalid version \"{versionText}\": must be \"latest\" or \"v1.x\"");
        }

        return new PodSecurityLevelVersion(level, version);
    }

    private static List<string> Names(JsonElement exemptions, string name, List<string> problems)
    {
        var names = new List<string>();
        if (!exemptions.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return names;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"$.exemptions.{name}: expected an array of strings");
            return names;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } value)
            {
                problems.Add($"$.exemptions.{name}[{index}]: expected a non-empty string");
            }
            else if (names.Contains(value))
            {
                problems.Add($"$.exemptions.{name}[{index}]: duplicate entry \"{value}\"");
            }
            else
            {
                names.Add(value);
            }

            index++;
        }

        return names;
    }
}
