using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// List functions: Kubernetes' <c>isSorted</c>, <c>sum</c>, <c>min</c>, <c>max</c>, <c>indexOf</c>
/// and <c>lastIndexOf</c>, and cel-go's <c>ext.Lists</c> (<c>slice</c>, <c>flatten</c>,
/// <c>distinct</c>, <c>sort</c>, <c>reverse</c>, <c>lists.range</c>).
/// </summary>
/// <remarks>
/// The checker does not tell one element type from another (<c>list(int)</c> and <c>list(string)</c>
/// both dispatch as a list), so each function is one overload that looks at the elements it is given
/// and answers with an error where Kubernetes' typed overloads would not have matched.
/// </remarks>
public static class ListsLibrary
{
    /// <summary>cel-go's cap on <c>lists.range</c>.</summary>
    private const long MaxRangeSize = 10_000_000;

    private static readonly CelType T = CelType.Param("T");
    private static readonly CelType ListT = CelType.List(T);

    public static void Register(FunctionRegistry r)
    {
        r.Member("isSorted", Bool, [ListT], a => IsSorted(a[0].AsList));
        r.Member("sum", T, [ListT], a => Sum(a[0].AsList));
        r.Member("min", T, [ListT], a => Extreme(a[0].AsList, "min", -1));
        r.Member("max", T, [ListT], a => Extreme(a[0].AsList, "max", 1));
        r.Member("indexOf", Int, [ListT, T], a => IndexOf(a[0].AsList, a[1], last: false));
        r.Member("lastIndexOf", Int, [ListT, T], a => IndexOf(a[0].AsList, a[1], last: true));

        r.Member("slice", ListT, [ListT, Int, Int], a => Slice(a[0].AsList, a[1].AsInt, a[2].AsInt));
        r.Member("flatten", CelType.ListOfDyn, [CelType.ListOfDyn], a => Flatten(a[0].AsList, 1));
        r.Member("flatten", CelType.ListOfDyn, [CelType.ListOfDyn, Int], a => Flatten(a[0].AsList, a[1].AsInt));
        r.Member("distinct", ListT, [ListT], a => Distinct(a[0].AsList));
        r.Member("sort", ListT, [ListT], a => Sort(a[0].AsList));
        r.Member("reverse", ListT, [ListT], a => CelValue.List(new ReversedList(a[0].AsList)));
        r.Global("lists.range", CelType.List(Int), [Int], a => Range(a[0].AsInt));
    }

    /// <summary>The kinds with an ordering, as cel-go's <c>comparableTypes</c> lists them.</summary>
    private static bool IsComparable(CelKind kind) =>
        kind is CelKind.Int or CelKind.Uint or CelKind.Double or CelKind.Bool or CelKind.Duration or CelKind.Timestamp or CelKind.String or CelKind.Bytes;

    private static CelValue IsSorted(ICelList list)
    {
        for (var i = 1; i < list.Count; i++)
        {
            var ordered = Values.Compare(list[i - 1], list[i], out var order);
            if (ordered.IsError)
            {
                return ordered;
            }

            if (order == 1)
            {
                return CelValue.False;
            }
        }

        return CelValue.True;
    }

    /// <summary>The sum of ints, uints, doubles or durations; an empty list sums to int 0, as Kubernetes' untyped <c>[].sum()</c> does.</summary>
    private static CelValue Sum(ICelList list)
    {
        if (list.Count == 0)
        {
            return CelValue.Int(0);
        }

        var total = list[0];
        if (total.Kind is not (CelKind.Int or CelKind.Uint or CelKind.Double or CelKind.Duration))
        {
            return Values.NoOverload("sum", total);
        }

        for (var i = 1; i < list.Count; i++)
        {
            var item = list[i];
            if (item.Kind != total.Kind)
            {
                return Values.NoOverload("_+_", total, item);
            }

            total = total.Kind switch
            {
                CelKind.Int => AddChecked(total.AsInt, item.AsInt),
                CelKind.Uint => total.AsUint > ulong.MaxValue - item.AsUint ? Overflow() : CelValue.Uint(total.AsUint + item.AsUint),
                CelKind.Double => CelValue.Double(total.AsDouble + item.AsDouble),
                _ => AddDurations(total.AsDuration, item.AsDuration),
            };
            if (total.IsError)
            {
                return total;
            }
        }

        return total;
    }

    private static CelValue AddChecked(long x, long y)
    {
        var sum = unchecked(x + y);
        return ((x ^ sum) & (y ^ sum)) < 0 ? Overflow() : CelValue.Int(sum);
    }

    private static CelValue AddDurations(CelDuration x, CelDuration y)
    {
        var sum = CelDuration.FromNanos(x.TotalNanos + y.TotalNanos);
        return sum.InRange ? CelValue.Duration(sum) : Overflow();
    }

    private static CelValue Overflow() => CelValue.Error("return error for overflow");

    /// <summary>The least (<paramref name="prefer"/> −1) or greatest (+1) element; the first of equals wins.</summary>
    private static CelValue Extreme(ICelList list, string name, int prefer)
    {
        if (list.Count == 0)
        {
            return CelValue.Error($"{name} called on empty list");
        }

        var best = list[0];
        if (!IsComparable(best.Kind))
        {
            return Values.NoOverload(name, best);
        }

        for (var i = 1; i < list.Count; i++)
        {
            var ordered = Values.Compare(list[i], best, out var order);
            if (ordered.IsError)
            {
                return ordered;
            }

            if (order == prefer)
            {
                best = list[i];
            }
        }

        return best;
    }

    private static CelValue IndexOf(ICelList list, CelValue item, bool last)
    {
        for (var n = 0; n < list.Count; n++)
        {
            var i = last ? list.Count - 1 - n : n;
            if (Values.AreEqual(list[i], item))
            {
                return CelValue.Int(i);
            }
        }

        return CelValue.Int(-1);
    }

    private static CelValue Slice(ICelList list, long start, long end)
    {
        if (start < 0 || end < 0)
        {
            return CelValue.Error($"cannot slice({start}, {end}), negative indexes not supported");
        }

        if (start > end)
        {
            return CelValue.Error($"cannot slice({start}, {end}), start index must be less than or equal to end index");
        }

        if (list.Count < end)
        {
            return CelValue.Error($"cannot slice({start}, {end}), list is length {list.Count}");
        }

        var items = new CelValue[end - start];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = list[(int)start + i];
        }

        return CelValue.List(items);
    }

    private static CelValue Flatten(ICelList list, long depth)
    {
        if (depth < 0)
        {
            return CelValue.Error("level must be non-negative");
        }

        var items = new List<CelValue>(list.Count);
        AppendFlattened(items, list, depth);
        return CelValue.List(items);
    }

    private static void AppendFlattened(List<CelValue> items, ICelList list, long depth)
    {
        foreach (var item in list)
        {
            if (item.Kind == CelKind.List && depth > 0)
            {
                AppendFlattened(items, item.AsList, depth - 1);
            }
            else
            {
                items.Add(item);
            }
        }
    }

    /// <summary>First occurrences in order, by CEL equality (so <c>[1, 1.0, 1u]</c> keeps only the 1).</summary>
    private static CelValue Distinct(ICelList list)
    {
        var seen = new HashSet<CelValue>(CelValueComparer.Instance);
        var items = new List<CelValue>(list.Count);
        foreach (var item in list)
        {
            if (seen.Add(item))
            {
                items.Add(item);
            }
        }

        return CelValue.List(items);
    }

    /// <summary>
    /// Sorts elements that all have the same comparable kind; like cel-go, <c>[1, 2.0]</c> is an error
    /// although ints and doubles compare, because the elements' types differ.
    /// </summary>
    private static CelValue Sort(ICelList list)
    {
        if (list.Count == 0)
        {
            return CelValue.List(list);
        }

        var kind = list[0].Kind;
        if (!IsComparable(kind))
        {
            return CelValue.Error("list elements must be comparable");
        }

        var items = new CelValue[list.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = list[i];
            if (items[i].Kind != kind)
            {
                return CelValue.Error("list elements must have the same type");
            }
        }

        // Same-kind values always order; doubles use a total order so NaN cannot upset the sort.
        Comparison<CelValue> compare = kind == CelKind.Double
            ? (x, y) => x.AsDouble.CompareTo(y.AsDouble)
            : (x, y) =>
            {
                Values.Compare(x, y, out var order);
                return order;
            };
        return CelValue.List(items.Order(Comparer<CelValue>.Create(compare)).ToArray());
    }

    private static CelValue Range(long count) =>
        count < 0 ? CelValue.Error($"lists.range: size must be non-negative, got {count}")
        : count > MaxRangeSize ? CelValue.Error($"lists.range: size {count} exceeds maximum allowed ({MaxRangeSize})")
        : CelValue.List(new RangeList((int)count));

    /// <summary>0..n-1 computed on access: a range costs nothing until a comprehension walks it (and pays per step).</summary>
    private sealed class RangeList(int count) : ICelList
    {
        public int Count => count;

        public CelValue this[int index] => (uint)index < (uint)count ? CelValue.Int(index) : throw new ArgumentOutOfRangeException(nameof(index));
    }

    /// <summary>A reversed view: reversing never copies.</summary>
    private sealed class ReversedList(ICelList inner) : ICelList
    {
        public int Count => inner.Count;

        public CelValue this[int index] => inner[inner.Count - 1 - index];
    }
}
