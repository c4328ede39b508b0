namespace Auditrail.AuditPolicy.Evaluation;

/// <summary>
/// Sets of rules as bit arrays (one bit per rule, 64 to a word). Evaluation intersects one mask per
/// selector (users, verbs, resources …) and the lowest bit left is the first rule that matches, so the
/// cost of an event hardly grows with the number of rules.
/// </summary>
internal static class RuleMask
{
    public static int Words(int rules) => Math.Max(1, (rules + 63) / 64);

    public static ulong[] Empty(int words) => new ulong[words];

    public static ulong[] Of(int words, IEnumerable<int> rules)
    {
        var mask = new ulong[words];
        foreach (var rule in rules)
        {
            Set(mask, rule);
        }

        return mask;
    }

    public static void Set(Span<ulong> mask, int rule) => mask[rule >> 6] |= 1UL << (rule & 63);

    public static void OrInto(Span<ulong> target, ReadOnlySpan<ulong> mask)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] |= mask[i];
        }
    }

    public static void AndInto(Span<ulong> target, ReadOnlySpan<ulong> mask)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] &= mask[i];
        }
    }

    /// <summary>The lowest rule in the set, or -1 when it is empty.</summary>
    public static int First(ReadOnlySpan<ulong> mask)
    {
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i] != 0)
            {
                return (i << 6) + System.Numerics.BitOperations.TrailingZeroCount(mask[i]);
            }
        }

        return -1;
    }
}
