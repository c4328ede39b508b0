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
/// <remarks>A <c>ref</c> returned by <see cref="Touch"/> stays valid while its key is held: slots live in pages that never move.</remarks>
internal sealed class KeyedStateTable<TState> where TState : struct
{
    private static readonly long Seed = Random.Shared.NextInt64();

    private readonly HashSlotIndex _slots = new();
    private readonly Stack<int> _free = new();
    private readonly bool _keepKeys;
    private readonly PagedArray<TState> _states = new();
    private readonly PagedArray<long> _touched = new();
    private readonly PagedArray<ulong> _hashes = new();
    private readonly PagedArray<byte[]?> _keys = new();
    private int _used;
    private long _clock;

    public KeyedStateTable(int maxKeys, bool keepKeys = false)
    {
        MaxKeys = maxKeys > 0 ? maxKeys : throw new ArgumentOutOfRangeException(nameof(maxKeys), "at least one key");
        _keepKeys = keepKeys;
    }

    public int MaxKeys { get; }

    /// <summary>Keys dropped to stay within <see cref="MaxKeys"/>.</summary>
    public long Evicted { get; private set; }

    public int Count => _slots.Count;

    /// <summary>The state of <paramref name="key"/>, created (default) when new; either way it becomes the most recent.</summary>
    public ref TState Touch(string key, out bool added)
    {
        var hash = Hash(key);
        var index = _slots.Find(hash);
        added = index < 0;
        if (added)
        {
            index = Allocate(hash, key);
            _slots.Add(hash, index);
        }

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

    /// <summary>The key's text, for tables that keep it (kept as UTF-8: most keys are ASCII, half the size).</summary>
    public string KeyAt(int slot) => _keepKeys && _keys[slot] is { } utf8 ? System.Text.Encoding.UTF8.GetString(utf8) : string.Empty;

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
            slot = _used++;
            _states.EnsureCapacity(_used);
            _touched.EnsureCapacity(_used);
            _hashes.EnsureCapacity(_used);
            if (_keepKeys)
            {
                _keys.EnsureCapacity(_used);
            }
        }

        _hashes[slot] = hash;
        if (_keepKeys)
        {
            _keys[slot] = System.Text.Encoding.UTF8.GetBytes(key);
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
        foreach (var slot in Slots())
        {
            touched[n++] = _touched[slot];
        }

        Array.Sort(touched);
        var cutoff = touched[_slots.Count - target - 1];
        foreach (var slot in Slots())
        {
            if (_touched[slot] <= cutoff)
            {
                RemoveAt(slot);
                Evicted++;
            }
        }
    }

    private static ulong Hash(string key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()), Seed);
}

/// <summary>
/// A growable array in fixed pages. Growing adds a page and copies nothing, so a table of a million
/// large structs never holds an old and a new copy of itself at once (which doubled the peak memory).
/// </summary>
internal sealed class PagedArray<T>
{
    private const int PageBits = 12;
    private const int PageSize = 1 << PageBits;

    private T[][] _pages = [];
    private int _allocated;

    public ref T this[int index] => ref _pages[index >> PageBits][index & (PageSize - 1)];

    public void EnsureCapacity(int count)
    {
        var pages = (count + PageSize - 1) >> PageBits;
        if (pages > _pages.Length)
        {
            Array.Resize(ref _pages, Math.Max(pages, _pages.Length * 2));
        }

        while (_allocated < pages)
        {
            _pages[_allocated++] = new T[PageSize];
        }
    }
}
