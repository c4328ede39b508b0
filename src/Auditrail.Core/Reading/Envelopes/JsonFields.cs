using System.Globalization;
using System.Text.Json;

namespace Auditrail.Core.Reading.Envelopes;

/// <summary>
/// Typed, exception-free reads of optional fields in a cloud envelope. Every failure names the JSON path of the
/// field, so a user can find the broken record. JSON null counts as absent, as protobuf's JSON mapping defines.
/// </summary>
internal static class JsonFields
{
    public static string Child(string parentPath, string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '@')
            ? parentPath + "." + name
            : parentPath + "['" + name.Replace("'", "\\'", StringComparison.Ordinal) + "']";

    public static bool TryGetObject(JsonElement parent, string name, string parentPath, out JsonElement? value, out string? error) =>
        TryGetKind(parent, name, parentPath, JsonValueKind.Object, "an object", out value, out error);

    public static bool TryGetArray(JsonElement parent, string name, string parentPath, out JsonElement? value, out string? error) =>
        TryGetKind(parent, name, parentPath, JsonValueKind.Array, "an array", out value, out error);

    public static bool TryGetString(JsonElement parent, string name, string parentPath, out string? value, out string? error)
    {
        value = null;
        if (!TryGetKind(parent, name, parentPath, JsonValueKind.String, "a string", out var element, out error))
        {
            return false;
        }

        value = element?.GetString();
        return true;
    }

    /// <summary>Reads a boolean; also accepts "true"/"false", which some re-exporters write.</summary>
    public static bool TryGetBoolean(JsonElement parent, string name, string parentPath, out bool? value, out string? error)
    {
        value = null;
        error = null;
        if (!TryGetPresent(parent, name, out var element))
        {
            return true;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.True:
            case JsonValueKind.False:
                value = element.GetBoolean();
                return true;
            case JsonValueKind.String when bool.TryParse(element.GetString(), out var parsed):
                value = parsed;
                return true;
            default:
                error = $"{Child(parentPath, name)}: expected a boolean, got {Describe(element)}";
                return false;
        }
    }

    /// <summary>Reads an integer; also accepts a decimal string, protobuf's JSON form for 64-bit integers.</summary>
    public static bool TryGetInteger(JsonElement parent, string name, string parentPath, out long? value, out string? error)
    {
        value = null;
        error = null;
        if (!TryGetPresent(parent, name, out var element))
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var number))
        {
            value = number;
            return true;
        }

        if (element.ValueKind == JsonValueKind.String
            && long.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            value = number;
            return true;
        }

        error = $"{Child(parentPath, name)}: expected an integer, got {Describe(element)}";
        return false;
    }

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "the number " + element.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static bool TryGetKind(
        JsonElement parent, string name, string parentPath, JsonValueKind kind, string expected,
        out JsonElement? value, out string? error)
    {
        value = null;
        error = null;
        if (!TryGetPresent(parent, name, out var element))
        {
            return true;
        }

        if (element.ValueKind != kind)
        {
            error = $"{Child(parentPath, name)}: expected {expected}, got {Describe(element)}";
            return false;
        }

        value = element;
        return true;
    }

    private static bool TryGetPresent(JsonElement parent, string name, out JsonElement element) =>
        parent.TryGetProperty(name, out element) && element.ValueKind != JsonValueKind.Null;
}
