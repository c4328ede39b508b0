using Auditrail.Cel.Runtime;
using Auditrail.Cel.Syntax;

namespace Auditrail.Cel.Library;

/// <summary>Functions that macro expansions call and expressions cannot name.</summary>
internal static class MacroSupport
{
    private static readonly CelType K = CelType.Param("K");
    private static readonly CelType V = CelType.Param("V");
    private static readonly CelType MapKV = CelType.Map(K, V);

    public static void Register(FunctionRegistry r)
    {
        r.Global(Macros.MapInsert, MapKV, [MapKV, K, V], a => Insert(a[0].AsMap, [KeyValuePair.Create(a[1], a[2])]));
        r.Global(Macros.MapInsert, MapKV, [MapKV, MapKV], a => Insert(a[0].AsMap, a[1].AsMap.Entries));
    }

    /// <summary>
    /// A new map with the entries added. Keys need no check here: they are map keys, list indices or
    /// keys of a map literal, all already valid. Copying keeps each step pure (the accumulator's initial
    /// <c>{}</c> may be one shared constant), at a cost that grows with the map, as list <c>+</c> does.
    /// </summary>
    private static CelValue Insert(ICelMap map, IEnumerable<KeyValuePair<CelValue, CelValue>> entries)
    {
        var result = new CelMap(map.Count + 1);
        foreach (var (key, value) in map.Entries)
        {
            result.TryAdd(key, value);
        }

        foreach (var (key, value) in entries)
        {
            if (!result.TryAdd(key, value))
            {
                return CelValue.Error($"insert failed: key {key} already exists");
            }
        }

        return CelValue.Map(result);
    }
}
