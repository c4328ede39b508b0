using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Auditrail.Cli.Output;

/// <summary>
/// Renders JSON as YAML documents with YamlDotNet's emitter, so quoting follows the YAML spec: strings
/// that would read back as numbers, booleans or null ("true", "0755", "null") are quoted.
/// </summary>
public sealed class JsonToYaml(TextWriter output)
{
    private readonly Emitter _emitter = new(output);
    private bool _started;

    /// <summary>Writes one JSON value as a YAML document (<c>---</c> separated).</summary>
    public void WriteDocument(JsonElement value)
    {
        if (!_started)
        {
            _emitter.Emit(new StreamStart());
            _started = true;
        }

        _emitter.Emit(new DocumentStart(null, null, isImplicit: false));
        Emit(value);
        _emitter.Emit(new DocumentEnd(isImplicit: true));
    }

    public void Finish()
    {
        if (_started)
        {
            _emitter.Emit(new StreamEnd());
        }
    }

    private void Emit(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                _emitter.Emit(new MappingStart());
                foreach (var property in value.EnumerateObject())
                {
                    EmitString(property.Name);
                    Emit(property.Value);
                }

                _emitter.Emit(new MappingEnd());
                break;
            case JsonValueKind.Array:
                _emitter.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
                foreach (var item in value.EnumerateArray())
                {
                    Emit(item);
                }

                _emitter.Emit(new SequenceEnd());
                break;
            case JsonValueKind.String:
                EmitString(value.GetString()!);
                break;
            case JsonValueKind.Number:
                _emitter.Emit(new Scalar(value.GetRawText()));
                break;
            case JsonValueKind.True:
                _emitter.Emit(new Scalar("true"));
                break;
            case JsonValueKind.False:
                _emitter.Emit(new Scalar("false"));
                break;
            default:
                _emitter.Emit(new Scalar("null"));
                break;
        }
    }

    private void EmitString(string text)
    {
        var style = NeedsQuotes(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        _emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: style == ScalarStyle.Any, isQuotedImplicit: true));
    }

    /// <summary>True when a plain scalar would be read back as something other than this string (YAML 1.1 and 1.2 rules).</summary>
    private static bool NeedsQuotes(string text)
    {
        if (text.Length == 0)
        {
            return true;
        }

        switch (text.ToLowerInvariant())
        {
            case "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n" or "null" or "~" or ".nan" or ".inf" or "-.inf" or "+.inf":
                return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            || (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && text.Length > 2)
            || (text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) && text.Length > 2);
    }
}
