using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Auditrail.Server.Configuration;

/// <summary>Parsers for the configuration's scalar syntaxes: durations and byte quantities as Kubernetes writes them, and sink URLs.</summary>
public static partial class ConfigValues
{
    /// <summary>
    /// A Go-style duration as Kubernetes configs write them: <c>2s</c>, <c>500ms</c>, <c>1m30s</c>,
    /// <c>1.5s</c>, plus <c>d</c> for days, as retention periods are written (<c>30d</c>). A bare number is
    /// refused: a unit-less <c>2</c> is a bug waiting to happen (seconds? ms?).
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        double milliseconds = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitStart = part.Value.AsSpan().IndexOfAnyExcept("0123456789.");
            var number = double.Parse(part.Value.AsSpan(0, unitStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            milliseconds += part.Value[unitStart..] switch
            {
                "ms" => number,
                "s" => number * 1000,
                "m" => number * 60_000,
                "h" => number * 3_600_000,
                _ => number * 86_400_000,
            };
        }

        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>An absolute http:// or https:// URL, as a sink's <c>url</c> or the content of its <c>urlFile</c>.</summary>
    public static bool TryParseHttpUrl(string text, [NotNullWhen(true)] out Uri? url) =>
        Uri.TryCreate(text, UriKind.Absolute, out url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    /// <summary>A byte count as a Kubernetes quantity: <c>8Mi</c>, <c>512Ki</c>, <c>1Gi</c>, <c>5M</c>, or a plain integer.</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        var match = QuantityPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var multiplier = match.Groups["suffix"].Value switch
        {
            "" => 1L,
            "Ki" => 1L << 10,
            "Mi" => 1L << 20,
            "Gi" => 1L << 30,
            "k" => 1_000L,
            "M" => 1_000_000L,
            _ => 1_000_000_000L,
        };
        if (!long.TryParse(match.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = number * multiplier;
        return true;
    }

    [GeneratedRegex(@"^(?<part>(\d+(\.\d+)?|\.\d+)(ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(?<number>\d+)(?<suffix>Ki|Mi|Gi|k|M|G)?$", RegexOptions.CultureInvariant)]
    private static partial Regex QuantityPattern();
}
