using System.Text.Json;

namespace Auditrail.Cel.Runtime;

/// <summary>Writes CEL values as JSON for machine-readable output (<c>auditrail cel eval -o json</c>).</summary>
public static class CelJson
{
    public static void Write(Utf8JsonWriter writer, CelValue value)
    {
        switch (value.Kind)
        {
            case CelKind.Null:
                writer.WriteNullValue();
                break;
            case CelKind.Bool:
                writer.WriteBooleanValue(value.AsBool);
                break;
            case CelKind.Int:
                writer.WriteNumberValue(value.AsInt);
                break;
            case CelKind.Uint:
                writer.WriteNumberValue(value.AsUint);
                break;
            case CelKind.Double when double.IsFinite(value.AsDouble):
                writer.WriteNumberValue(value.AsDouble);
                break;
            case CelKind.Double:
                writer.WriteStringValue(Library.StandardLibrary.FormatDouble(value.AsDouble));
                break;
            case CelKind.String:
                writer.WriteStringValue(value.AsString);
                break;
            case CelKind.Bytes:
                writer.WriteBase64StringValue(value.AsBytes);
                break;
            case CelKind.List:
                writer.WriteStartArray();
                foreach (var item in value.AsList)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case CelKind.Map:
                writer.WriteStartObject();
                foreach (var (key, item) in value.AsMap.Entries)
                {
                    writer.WritePropertyName(key.Kind == CelKind.String ? key.AsString : key.ToString());
                    Write(writer, item);
                }

                writer.WriteEndObject();
                break;
            case CelKind.Optional:
                if (value.AsOptional.HasValue)
                {
                    Write(writer, value.AsOptional.Value);
                }
                else
                {
                    writer.WriteNullValue();
                }

                break;
            case CelKind.Error:
                writer.WriteStartObject();
                writer.WriteString("error", value.AsError.Message);
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
