using System.Diagnostics.CodeAnalysis;

namespace Auditrail.Admission.PodSecurity;

/// <summary>The three Pod Security Standards, from least to most strict.</summary>
public enum PodSecurityLevel
{
    /// <summary>No checks at all.</summary>
    Privileged,

    /// <summary>Prevents known privilege escalations; runs the baseline checks.</summary>
    Baseline,

    /// <summary>Hardening best practice; runs the baseline checks (minus those a restricted check replaces) and the restricted checks.</summary>
    Restricted,
}

/// <summary>Conversions between <see cref="PodSecurityLevel"/> and the label values PSA reads.</summary>
public static class PodSecurityLevels
{
    /// <summary>The accepted values, in the order upstream lists them in its error message.</summary>
    public const string ValidValues = "privileged, baseline, restricted";

    /// <summary>Parses a label value; only the exact lower-case names are accepted, as PSA does.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out PodSecurityLevel level)
    {
        switch (value)
        {
            case "privileged":
                level = PodSecurityLevel.Privileged;
                return true;
            case "baseline":
                level = PodSecurityLevel.Baseline;
                return true;
            case "restricted":
                level = PodSecurityLevel.Restricted;
                return true;
            default:
                level = PodSecurityLevel.Restricted;
                return false;
        }
    }

    /// <summary>The label value: <c>privileged</c>, <c>baseline</c> or <c>restricted</c>.</summary>
    public static string ToLabelValue(this PodSecurityLevel level) => level switch
    {
        PodSecurityLevel.Privileged => "privileged",
        PodSecurityLevel.Baseline => "baseline",
        PodSecurityLevel.Restricted => "restricted",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };
}
