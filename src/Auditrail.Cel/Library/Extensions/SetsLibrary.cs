using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// cel-go's <c>ext.Sets</c>: lists read as sets, with CEL equality (<c>1 == 1.0 == 1u</c>, lists and
/// maps element-wise). Membership goes through a hash set, so large lists cost linear time, not quadratic.
/// </summary>
public static class SetsLibrary
{
    private static readonly CelType ListT = CelType.List(CelType.Param("T"));

    public static void Register(FunctionRegistry r)
    {
        r.Global("sets.contains", Bool, [ListT, ListT], a => CelValue.Bool(Contains(a[0].AsList, a[1].AsList)));
        r.Global("sets.equivalent", Bool, [ListT, ListT], a => CelValue.Bool(Contains(a[0].AsList, a[1].AsList) && Contains(a[1].AsList, a[0].AsList)));
        r.Global("sets.intersects", Bool, [ListT, ListT], a => CelValue.Bool(Intersects(a[0].AsList, a[1].AsList)));
    }

    private static HashSet<CelValue> ToSet(ICelList list) => new(list, CelValueComparer.Instance);

    /// <summary>Whether every element of <paramref name="subset"/> is in <paramref name="list"/>; the empty list is in everything.</summary>
    private static bool Contains(ICelList list, ICelList subset)
    {
        if (subset.Count == 0)
        {
            return true;
        }

        var set = ToSet(list);
        return subset.All(set.Contains);
    }

    private static bool Intersects(ICelList first, ICelList second)
    {
        if (first.Count == 0 || second.Count == 0)
        {
            return false;
        }

        var set = ToSet(first);
        return second.Any(set.Contains);
    }
}
