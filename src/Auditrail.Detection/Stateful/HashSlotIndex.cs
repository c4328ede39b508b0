namespace Auditrail.Detection.Stateful;

/// <summary>
/// Maps 64-bit key hashes to slot numbers with open addressing and linear probing: twelve bytes per
/// entry in two flat arrays, against about thirty (and an object per resize) for a Dictionary. Zero
/// marks an empty entry, so a hash of zero is stored as one (the odds of that mattering are nil).
/// </summary>
internal sealed class HashSlotIndex
{
    private ulong[] _hashes = new ulong[16];
    private int[] _slots = new int[16];

    public int Count { get; private set; }

    /// <summary>The slot of <paramref name="hash"/>, or -1.</summary>
    public int Find(ulong hash)
    {
        hash = hash == 0 ? 1 : hash;
        var mask = _hashes.Length - 1;
        for (var i = (int)(hash & (ulong)mask); _hashes[i] != 0; i = (i + 1) & mask)
        {
            if (_hashes[i] == hash)
            {
                return _slots[i];
            }
        }

        return -1;
    }

    /// <summary>Adds a hash not yet present.</summary>
    public void Add(ulong hash, int slot)
    {
        hash = hash == 0 ? 1 : hash;
        var mask = _hashes.Length - 1;
        var i = (int)(hash & (ulong)mask);
        while (_hashes[i] != 0)
        {
            i = (i + 1) & mask;
        }

        _hashes[i] = hash;
        _slots[i] = slot;
        if (++Count * 4 > _hashes.Length * 3)
        {
            Grow();
        }
    }

    /// <summary>Removes <paramref name="hash"/>, shifting later entries of its probe run back so lookups stay correct without tombstones.</summary>
    public void Remove(ulong hash)
    {
        hash = hash == 0 ? 1 : hash;
        var mask = _hashes.Length - 1;
        var i = (int)(hash & (ulong)mask);
        while (_hashes[i] != hash)
        {
            if (_hashes[i] == 0)
            {
                return;
            }

            i = (i + 1) & mask;
        }

        var hole = i;
        var next = (hole + 1) & mask;
        while (_hashes[next] != 0)
        {
            var home = (int)(_hashes[next] & (ulong)mask);

            // An entry may move into the hole only if its home is not strictly between the hole and it.
            var between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!between)
            {
                _hashes[hole] = _hashes[next];
                _slots[hole] = _slots[next];
                hole = next;
            }

            next = (next + 1) & mask;
        }

        _hashes[hole] = 0;
        Count--;
    }

    private void Grow()
    {
        var (hashes, slots) = (_hashes, _slots);
        _hashes = new ulong[hashes.Length * 2];
        _slots = new int[hashes.Length * 2];
        var mask = _hashes.Length - 1;
        for (var j = 0; j < hashes.Length; j++)
        {
            if (hashes[j] == 0)
            {
                continue;
            }

            var i = (int)(hashes[j] & (ulong)mask);
            while (_hashes[i] != 0)
            {
                i = (i + 1) & mask;
            }

            _hashes[i] = hashes[j];
            _slots[i] = slots[j];
        }
    }
}
