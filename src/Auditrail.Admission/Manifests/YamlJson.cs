using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Admission.Manifests;

/// <summary>
/// Converts parsed YAML to JSON the way kubectl reads manifests (sigs.k8s.io/yaml, which resolves
/// plain scalars as YAML 1.1 and go-yaml v2 do): <c>~</c> and empty are null; <c>true</c>, <c>yes</c>,
/// <c>y</c>, <c>on</c> and their false twins are booleans (so <c>value: yes</c> in an env var is the
/// bool the apiserver refuses, as with kubectl); integers may have underscores, a <c>0x</c> (hex),
/// <c>0b</c> (binary) or leading-zero (octal) form. Quoted and block scalars stay strings.
/// </summary>
internal static partial class YamlJson
{
    public static JsonNode? ToNode(YamlNode node) => node switch
    {
        YamlMappingNode map => ToObject(map),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToNode)]),
        YamlScalarNode scalar => ToScalar(scalar),
        _ => null,
    };

    private static JsonObject ToObject(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            // A repeated key: the last one wins, as Go's YAML decoder into a map does.
            result[key is YamlScalarNode { Value: { } name } ? name : key.ToString()] = ToNode(value);
        }

        return result;
    }

    private static JsonNode? ToScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "y" or "Y" or "on" or "On" or "ON")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE" or "no" or "No" or "NO" or "n" or "N" or "off" or "Off" or "OFF")
        {
            return JsonValue.Create(false);
        }

        if (Integer(text) is { } integer)
        {
            return JsonValue.Create(integer);
        }

        // Infinity and NaN have no JSON spelling; they stay text rather than becoming a number JSON cannot hold.
        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    /// <summary>go-yaml v2's integer forms: underscores ignored, then decimal, 0x hex, 0b binary, or a leading 0 for octal.</summary>
    private static long? Integer(string text)
    {
        if (!IntegerShape().IsMatch(text))
        {
            return null;
        }

        var plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
        var negative = plain.StartsWith('-');
        var digits = plain.TrimStart('-', '+');
        var (radix, body) = digits switch
        {
            _ when digits.StartsWith("0x", StringComparison.Ordinal) => (16, digits[2..]),
            _ when digits.StartsWith("0b", StringComparison.Ordinal) => (2, digits[2..]),
            _ when digits.Length > 1 && digits[0] == '0' => (8, digits[1..]),
            _ => (10, digits),
        };
        try
        {
            var value = radix == 10 ? long.Parse(body, CultureInfo.InvariantCulture) : Convert.ToInt64(body, radix);
            return negative ? -value : value;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            // Not an integer after all (an octal with an 8 in it, or too large): a string, as go-yaml leaves it.
            return null;
        }
    }

    [GeneratedRegex("^[-+]?(0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*)$")]
    private static partial Regex IntegerShape();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
