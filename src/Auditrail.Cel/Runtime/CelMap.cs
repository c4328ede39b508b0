namespace Auditrail.Cel.Runtime;

/// <summary>A map built by an expression or a host, keyed with CEL's key equivalence (1 == 1u == 1.0).</summary>
public sealed class CelMap : ICelMap
{
    private readonly Dictionary<CelValue, CelValue> _entries;
    private readonly List<CelValue> _order;

    public CelMap(int capacity = 0)
    {
        _entries = new Dictionary<CelValue, CelValue>(capacity, CelValueComparer.Instance);
        _order = new List<CelValue>(capacity);
    }

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<CelValue, CelValue>> Entries => _order.Select(k => KeyValuePair.Create(k, _entries[k]));

    /// <summary>Adds an entry; false when the key is already present (a literal with a repeated key is an error).</summary>
    public bool TryAdd(CelValue key, CelValue value)
    {
        if (!_entries.TryAdd(key, value))
        {
            return false;
        }

        _order.Add(key);
        return true;
    }

    public bool TryGet(CelValue key, out CelValue value) => _entries.TryGetValue(key, out value);

    /// <summary>Key kinds CEL allows: int, uint, bool and string.</summary>
    public static bool IsValidKey(CelValue key) => key.Kind is CelKind.Int or CelKind.Uint or CelKind.Bool or CelKind.String;
}
