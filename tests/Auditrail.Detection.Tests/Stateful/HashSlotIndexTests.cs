using Auditrail.Detection.Stateful;

namespace Auditrail.Detection.Tests.Stateful;

/// <summary>The open-addressing index agrees with a Dictionary through adds, removals and growth, including colliding probe runs.</summary>
public class HashSlotIndexTests
{
    [Theory]
    [InlineData(1, 0xFFFF)]
    [InlineData(2, 0x3F)]
    public void Matches_a_dictionary_under_random_adds_and_removes(int seed, int hashRange)
    {
        // A small hash range forces long probe runs and wrap-around, where backward-shift deletion can go wrong.
        var random = new Random(seed);
        var index = new HashSlotIndex();
        var reference = new Dictionary<ulong, int>();
        for (var step = 0; step < 20_000; step++)
        {
            var hash = (ulong)random.Next(hashRange) * (hashRange < 0x100 ? 0x0100000000000001UL : 1);
            if (reference.ContainsKey(hash) ? random.Next(3) == 0 : false)
            {
                index.Remove(hash);
                reference.Remove(hash);
            }
            else if (!reference.ContainsKey(hash))
            {
                index.Add(hash, step);
                reference[hash] = step;
            }

            Assert.Equal(reference.Count, index.Count);
        }

        foreach (var (hash, slot) in reference)
        {
            Assert.Equal(slot, index.Find(hash));
        }

        Assert.Equal(-1, index.Find(0xDEADBEEF_00000000UL));
    }
}
