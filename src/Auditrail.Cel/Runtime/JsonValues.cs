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

    private sealed class JsonList(JsonElement array) : ICelList
    {
        private CelValue[]? _items;

        public int Count => array.GetArrayLength();

        public CelValue this[int index] => (_items ??= array.EnumerateArray().Select(From).ToArray())[index];
    }

    private sealed class JsonMap(JsonElement obj) : ICelMap
    {
        private int _count = -1;

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
