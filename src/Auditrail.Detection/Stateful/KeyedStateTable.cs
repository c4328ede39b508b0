using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// Keyed state with a hard bound on keys, laid out for a million keys in little memory: keys are
/// 64-bit hashes (seeded per process, so nobody can aim collisions at a key), state is a struct in a
/// slot array, and the key text is kept only by tables that must write it out (learned baselines).
/// Past <see cref="MaxKeys"/>, the least recently touched eighth is dropped in one go and counted,
/// which needs no recency list per key and amortises the sort over many inserts.
/// </summary>
/// <remarks>A <c>ref</c> returned by <see cref="Touch"/> is valid until the next call that adds a key.</remarks>
internal sealed class KeyedStateTable<TState> where TState : struct
{
    private static readonly long Seed = Random.Shared.NextInt64();

    private readonly Dictionary<ulong, int> _slots = [];
    private readonly Stack<int> _free = new();
    private readonly bool _keepKeys;
    private TState[] _states = new TState[16];
    private long[] _touched = new long[16];
    private ulong[] _hashes = new ulong[16];
    private string?[] _keys;
    private int _used;
    private long _clock;

    public KeyedStateTable(int maxKeys, bool keepKeys = false)
    {
        MaxKeys = maxKeys > 0 ? maxKeys : throw new ArgumentOutOfRangeException(nameof(maxKeys), "at least one key");
        _keepKeys = keepKeys;
        _keys = keepKeys ? new string?[16] : [];
    }

    public int MaxKeys { get; }

    /// <summary>Keys dropped to stay within <see cref="MaxKeys"/>.</summary>
    public long Evicted { get; private set; }

    public int Count => _slots.Count;

    /// <summary>The state of <paramref name="key"/>, created (default) when new; either way it becomes the most recent.</summary>
    public ref TState Touch(string key, out bool added)
    {
        var hash = Hash(key);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_slots, hash, out var exists);
        added = !exists;
        if (!exists)
        {
            slot = Allocate(hash, key);
        }

        var index = slot;
        _touched[index] = ++_clock;
        if (added && _slots.Count > MaxKeys)
        {
            EvictLeastRecent();
        }

        return ref _states[index];
    }

    /// <summary>Live slots, for saving and sweeping; use <see cref="KeyAt"/> and <see cref="StateAt"/>.</summary>
    public IEnumerable<int> Slots()
    {
        for (var i = 0; i < _used; i++)
        {
            if (_touched[i] != 0)
            {
                yield return i;
            }
        }
    }

    public string KeyAt(int slot) => _keys.Length > slot ? _keys[slot] ?? string.Empty : string.Empty;

    public ref TState StateAt(int slot) => ref _states[slot];

    public void RemoveAt(int slot)
    {
        _slots.Remove(_hashes[slot]);
        Release(slot);
    }

    private int Allocate(ulong hash, string key)
    {
        int slot;
        if (_free.Count > 0)
        {
            slot = _free.Pop();
        }
        else
        {
            if (_used == _states.Length)
            {
                var size = _states.Length * 2;
                Array.Resize(ref _states, size);
                Array.Resize(ref _touched, size);
                Array.Resize(ref _hashes, size);
                if (_keepKeys)
                {
                    Array.Resize(ref _keys, size);
                }
            }

            slot = _used++;
        }

        _hashes[slot] = hash;
        if (_keepKeys)
        {
            _keys[slot] = key;
        }

        return slot;
    }

    private void Release(int slot)
    {
        _states[slot] = default;
        _touched[slot] = 0;
        if (_keepKeys)
        {
            _keys[slot] = null;
        }

        _free.Push(slot);
    }

    private void EvictLeastRecent()
    {
        // Drop down to 7/8 of the bound, so the next eviction is MaxKeys/8 inserts away.
        var target = MaxKeys - (MaxKeys / 8);
        var touched = new long[_slots.Count];
        var n = 0;
        foreach (var slot in _slots.Values)
        {
            touched[n++] = _touched[slot];
        }

        Array.Sort(touched);
        var cutoff = touched[_slots.Count - target - 1];
        foreach (var (hash, slot) in _slots)
        {
            if (_touched[slot] <= cutoff)
            {
                _slots.Remove(hash);
                Release(slot);
                Evicted++;
            }
        }
    }

    private static ulong Hash(string key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()), Seed);
}
