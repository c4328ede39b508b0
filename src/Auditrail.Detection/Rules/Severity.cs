namespace Auditrail.Detection.Rules;

/// <summary>How urgent an alert is; ordered so <c>--fail-on high</c> means high or critical.</summary>
public enum Severity
{
    Info,
    Low,
    Medium,
    High,
    Critical,
}

public static class SeverityNames
{
    public static bool TryParse(string text, out Severity severity)
    {
        switch (text.ToLowerInvariant())
        {
            case "info" or "informational":
                severity = Severity.Info;
                return true;
            case "low":
                severity = Severity.Low;
                return true;
            case "medium":
                severity = Severity.Medium;
                return true;
            case "high":
                severity = Severity.High;
                return true;
            case "critical":
                severity = Severity.Critical;
                return true;
            default:
                severity = Severity.Info;
                return false;
        }
    }

    public static string ToWireName(this Severity severity) => severity.ToString().ToLowerInvariant();
}
