using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Falco;

/// <summary>Small helpers for writing CEL text.</summary>
internal static class FalcoCel
{
    /// <summary>A CEL string literal.</summary>
    public static string Quote(string value) => RuleSet.Quote(value);
}
