using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Auditrail.Cel;
using Auditrail.Cel.Runtime;

namespace Auditrail.Detection.Conditions;

/// <summary>
/// CEL functions for reading JSON that may not have the expected shape, without errors. A rule's
/// <c>!</c> and <c>||</c> only mean what they say when every operand is true or false: a selection
/// that fails on an event lacking a field (or holding a list where a map was expected, as a JSON
/// Patch request body does) would make the whole condition an error instead.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>x.jsonValues("/a/b")</c>: the values at a JSON pointer (RFC 6901), as a list of none or
/// one; a <c>*</c> segment stands for every element of an array, so <c>"/spec/containers/*/image"</c>
/// lists every image. Missing parts yield nothing. <c>x.jsonValues(p, false)</c> reads <c>*</c> as a key.</item>
/// <item><c>x.jsonStrings(…)</c>: the same values as text, as <c>jsonText</c> writes them.</item>
/// <item><c>jsonText(x)</c>: a string as itself, anything else as compact JSON (<c>true</c>, <c>201</c>,
/// <c>{"a":1}</c>), which is how Falco's k8saudit and JSON plugins present values.</item>
/// </list>
/// </remarks>
public static class JsonFunctions
{
    private static readonly CelType ListOfString = CelType.List(CelType.String);

    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static void Register(CelEnvironment environment)
    {
        var r = environment.Functions;
        r.Member("jsonValues", CelType.ListOfDyn, [CelType.Dyn, CelType.String], a => Values(a[0], a[1].AsString, wildcards: true));
        r.Member("jsonValues", CelType.ListOfDyn, [CelType.Dyn, CelType.String, CelType.Bool], a => Values(a[0], a[1].AsString, a[2].AsBool));
        r.Member("jsonStrings", ListOfString, [CelType.Dyn, CelType.String], a => Strings(Values(a[0], a[1].AsString, wildcards: true)));
        r.Member("jsonStrings", ListOfString, [CelType.Dyn, CelType.String, CelType.Bool], a => Strings(Values(a[0], a[1].AsString, a[2].AsBool)));
        r.Global("jsonText", CelType.String, [CelType.Dyn], a => CelValue.String(Text(a[0])));
    }

    private static CelValue Values(CelValue root, string pointer, bool wildcards)
    {
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            return CelValue.Error($"'{pointer}' is not a JSON pointer: it must be empty or start with '/'");
        }

        var found = new List<CelValue>();
        var segments = pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(Unescape).ToArray();
        Collect(root, segments, 0, wildcards, found);
        return CelValue.List(found);
    }

    private static string Unescape(string segment) =>
        segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static void Collect(CelValue value, string[] segments, int next, bool wildcards, List<CelValue> found)
    {
        if (next == segments.Length)
        {
            found.Add(value);
            return;
        }

        var segment = segments[next];
        switch (value.Kind)
        {
            case CelKind.Map when value.AsMap.TryGet(CelValue.String(segment), out var child):
                Collect(child, segments, next + 1, wildcards, found);
                break;
            case CelKind.List when wildcards && segment == "*":
                foreach (var item in value.AsList)
                {
                    Collect(item, segments, next + 1, wildcards, found);
                }

                break;
            case CelKind.List when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < value.AsList.Count:
                Collect(value.AsList[index], segments, next + 1, wildcards, found);
                break;
        }
    }

    private static CelValue Strings(CelValue values)
    {
        if (values.IsError)
        {
            return values;
        }

        return CelValue.List(values.AsList.Select(v => CelValue.String(Text(v))).ToArray());
    }

    /// <summary>A string as itself; anything else as compact JSON, from the original text when the value came from JSON.</summary>
    public static string Text(CelValue value)
    {
        if (value.Kind == CelKind.String)
        {
            return value.AsString;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Write(Utf8JsonWriter writer, CelValue value)
    {
        if (JsonValues.TryGetElement(value, out var element))
        {
            element.WriteTo(writer);
        }
        else
        {
            CelJson.Write(writer, value);
        }
    }
}
