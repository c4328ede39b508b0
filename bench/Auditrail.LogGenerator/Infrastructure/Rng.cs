using System.Numerics;

namespace Auditrail.LogGenerator.Infrastructure;

/// <summary>
/// xoshiro256** seeded through SplitMix64. We own the generator instead of using System.Random because the
/// output must stay byte-identical for a seed across .NET versions and machines, which System.Random does not
/// promise; every benchmark downstream depends on that.
/// </summary>
internal sealed class Rng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Rng(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A value in [0, maxExclusive); multiply-shift, whose bias is far below anything a log shows.</summary>
    public int Next(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public long NextLong(long min, long maxExclusive) => min + (long)(NextUInt64() % (ulong)(maxExclusive - min));

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(T[] items) => items[Next(items.Length)];

    public T Pick<T>(List<T> items) => items[Next(items.Count)];

    /// <summary>An exponential variate (Poisson inter-arrival time) with the given mean, capped at 20 means.</summary>
    public long Exponential(double mean) => (long)(Math.Min(-DeterministicMath.Log(1.0 - NextDouble()), 20.0) * mean);

    public Uuid NextUuid() => Uuid.Version4(NextUInt64(), NextUInt64());

    /// <summary>Lower-case letters and digits, the way generated names and hashes look.</summary>
    public string Suffix(int length, string alphabet = SafeAlphabet) =>
        string.Create(length, (this, alphabet), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state.Item1.Next(state.alphabet.Length)];
            }
        });

    /// <summary>The alphabet apimachinery uses for generateName suffixes and pod-template-hash (no vowels, no 0/1/3).</summary>
    public const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";
}
