using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Auditrail.Admission.PodSecurity;

/// <summary>
/// A policy version as the <c>pod-security.kubernetes.io/*-version</c> labels spell it: <c>v1.N</c> or
/// <c>latest</c>. Only major version 1 exists. A version newer than the newest policy this build knows
/// is evaluated as that newest policy, and <c>latest</c> sorts after every numbered version, as upstream
/// orders them.
/// </summary>
public readonly record struct PodSecurityVersion : IComparable<PodSecurityVersion>
{
    private const int LatestMinor = int.MaxValue;

    private PodSecurityVersion(int minor) => Minor = minor;

    /// <summary>The minor number; <see cref="int.MaxValue"/> for <see cref="Latest"/>.</summary>
    public int Minor { get; }

    /// <summary><c>latest</c>: the newest policy this build knows.</summary>
    public static PodSecurityVersion Latest { get; } = new(LatestMinor);

    public bool IsLatest => Minor == LatestMinor;

    /// <summary>The version <c>v1.<paramref name="minor"/></c>.</summary>
    public static PodSecurityVersion V1(int minor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minor);
        ArgumentOutOfRangeException.ThrowIfEqual(minor, LatestMinor);
        return new PodSecurityVersion(minor);
    }

    /// <summary>
    /// Parses <c>latest</c> or <c>v1.N</c> exactly as PSA does: no leading zeros (<c>v1.05</c> is
    /// rejected), no whitespace, no other major version, no patch number.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PodSecurityVersion version)
    {
        version = Latest;
        if (text is null)
        {
            return false;
        }

        if (text == "latest")
        {
            return true;
        }

        if (!text.StartsWith("v1.", StringComparison.Ordinal) || text.Length == 3)
        {
            return false;
        }

        var digits = text.AsSpan(3);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        if (digits.Length > 1 && digits[0] == '0')
        {
            return false;
        }

        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var minor) || minor == LatestMinor)
        {
            return false;
        }

        version = new PodSecurityVersion(minor);
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/>, throwing <see cref="FormatException"/> with upstream's wording on bad input.</summary>
    public static PodSecurityVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"invalid Pod Security version \"{text}\": must be \"latest\" or \"v1.x\"");

    public int CompareTo(PodSecurityVersion other) => Minor.CompareTo(other.Minor);

    public static bool operator <(PodSecurityVersion left, PodSecurityVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(PodSecurityVersion left, PodSecurityVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(PodSecurityVersion left, PodSecurityVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PodSecurityVersion left, PodSecurityVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => IsLatest ? "latest" : string.Create(CultureInfo.InvariantCulture, $"v1.{Minor}");
}

/// <summary>A level at a version, written <c>restricted:v1.27</c> as PSA writes it in messages and audit annotations.</summary>
public readonly record struct PodSecurityLevelVersion(PodSecurityLevel Level, PodSecurityVersion Version)
{
    public override string ToString() => $"{Level.ToLabelValue()}:{Version}";

    /// <summary>Parses <c>LEVEL</c> or <c>LEVEL:VERSION</c> (the version defaults to <c>latest</c>), as the CLI's <c>--pss</c> option takes it.</summary>
    public static bool TryParse(string? text, out PodSecurityLevelVersion levelVersion, [NotNullWhen(false)] out string? error)
    {
        levelVersion = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "expected LEVEL or LEVEL:VERSION";
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var levelText = colon < 0 ? text : text[..colon];
        if (!PodSecurityLevels.TryParse(levelText, out var level))
        {
            error = $"invalid level \"{levelText}\": must be one of {PodSecurityLevels.ValidValues}";
            return false;
        }

        var version = PodSecurityVersion.Latest;
        if (colon >= 0 && !PodSecurityVersion.TryParse(text[(colon + 1)..], out version))
        {
            error = $"invalid version \"{text[(colon + 1)..]}\": must be \"latest\" or \"v1.x\"";
            return false;
        }

        levelVersion = new PodSecurityLevelVersion(level, version);
        error = null;
        return true;
    }
}
