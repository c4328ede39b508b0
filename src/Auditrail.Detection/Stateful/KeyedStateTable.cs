using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// Keyed state with a hard bound on keys, laid out for a million keys in little memory: keys are kept
/// only as salted 64-bit hashes (random salt, so nobody can aim collisions at a key; a baseline saves
/// its salt to recognise its keys later), and state is a struct in a slot array.
/// Past <see cref="MaxKeys"/>, the least recently touched eighth is dropped in one go and counted,
/// which needs no recency list per key and amortises the sort over many inserts.
/// </summary>
/// <remarks>A <c>ref</c> returned by <see cref="Touch"/> stays valid while its key is held: slots live in pages that never move.</remarks>
internal sealed class KeyedStateTable<TState> where TState : struct
{
    private readonly HashSlotIndex _slots = new();
    private readonly Stack<int> _free = new();
    private readonly PagedArray<TState> _states = new();
    private readonly PagedArray<long> _touched = new();
    private readonly PagedArray<ulong> _hashes = new();
    private int _used;
    private long _clock;

    public KeyedStateTable(int maxKeys) => MaxKeys = maxKeys > 0 ? maxKeys : throw new ArgumentOutOfRangeException(nameof(maxKeys), "at least one key");

    /// <summary>The salt of key hashes; set it (to a saved baseline's) only while the table is empty.</summary>
    public long Seed
    {
        get;
        set => field = _slots.Count == 0 ? value : throw new InvalidOperationException("the salt of a table in use cannot change");
    } = Random.Shared.NextInt64();

    public ulong HashOf(string key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()), Seed);

    public int MaxKeys { get; }

    /// <summary>Keys dropped to stay within <see cref="MaxKeys"/>.</summary>
    public long Evicted { get; private set; }

    public int Count => _slots.Count;

    /// <summary>The state of <paramref name="key"/>, created (default) when new; either way it becomes the most recent.</summary>
    public ref TState Touch(string key, out bool added) => ref TouchHash(HashOf(key), out added);

    /// <summary>As <see cref="Touch"/>, for a key known by its hash (read back from a baseline).</summary>
    public ref TState TouchHash(ulong hash, out bool added)
    {
        var index = _slots.Find(hash);
        added = index < 0;
        if (added)
        {
            index = Allocate(hash);
            _slots.Add(hash, index);
        }

        _touched[index] = ++_clock;
        if (added && _slots.Count > MaxKeys)
        {
            EvictLeastRecent();
        }

        return ref _states[index];
    }

    /// <summary>Live slots, for saving and sweeping; use <see cref="HashAt"/> and <see cref="StateAt"/>.</summary>
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

    public ulong HashAt(int slot) => _hashes[slot];

    public ref TState StateAt(int slot) => ref _states[slot];

    public void RemoveAt(int slot)
    {
        _slots.Remove(_hashes[slot]);
        Release(slot);
    }

    private int Allocate(ulong hash)
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
        }

        _hashes[slot] = hash;

        return slot;
    }

    private void Release(int slot)
    {
        _states[slot] = default;
        _touched[slot] = 0;

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
