using System.Text.Json;

namespace Auditrail.Cel.Runtime;

/// <summary>
/// CEL views of JSON (request and response bodies, admission objects) that convert only what an
/// expression touches: a rule reading <c>spec.containers[0].image</c> never converts the rest.
/// </summary>
/// <remarks>
/// Integral JSON numbers become CEL ints (as Kubernetes does for unstructured objects, so
/// <c>spec.replicas &gt; 3</c> works); other numbers become doubles.
/// </remarks>
public static class JsonValues
{
    public static CelValue From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => CelValue.Map(new JsonMap(element)),
        JsonValueKind.Array => CelValue.List(new JsonList(element)),
        JsonValueKind.String => CelValue.String(element.GetString()!),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? CelValue.Int(integer) : CelValue.Double(element.GetDouble()),
        JsonValueKind.True => CelValue.True,
        JsonValueKind.False => CelValue.False,
        _ => CelValue.Null,
    };

    /// <summary>Parses JSON text into a CEL value (the document stays alive as long as the value).</summary>
    public static CelValue Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return From(document.RootElement.Clone());
    }

    /// <summary>
    /// The JSON a list or map value was read from, so a host can give back the original text (key
    /// order, number spelling) instead of re-encoding the converted value. False for values built in CEL.
    /// </summary>
    public static bool TryGetElement(CelValue value, out JsonElement element)
    {
        switch (value.Kind)
        {
            case CelKind.List when value.AsList is JsonList list:
                element = list.Element;
                return true;
            case CelKind.Map when value.AsMap is JsonMap map:
                element = map.Element;
                return true;
            default:
                element = default;
                return false;
        }
    }

    private sealed class JsonList(JsonElement array) : ICelList
    {
        private CelValue[]? _items;

        public JsonElement Element => array;

        public int Count => array.GetArrayLength();

        public CelValue this[int index] => (_items ??= array.EnumerateArray().Select(From).ToArray())[index];
    }

    private sealed class JsonMap(JsonElement obj) : ICelMap
    {
        private int _count = -1;

        public JsonElement Element => obj;

        public int Count => _count >= 0 ? _count : _count = obj.EnumerateObject().Count();

        public IEnumerable<KeyValuePair<CelValue, CelValue>> Entries =>
            obj.EnumerateObject().Select(p => KeyValuePair.Create(CelValue.String(p.Name), From(p.Value)));

        public bool TryGet(CelValue key, out CelValue value)
        {
            if (key.Kind == CelKind.String && obj.TryGetProperty(key.AsString, out var property))
            {
                value = From(property);
                return true;
            }

            value = default;
            return false;
        }
    }
}
