namespace Auditrail.Detection.Stateful;

/// <summary>Per-key state of a stateful detector; <see cref="Touched"/> orders keys for eviction.</summary>
internal abstract class KeyedState
{
    public long Touched;
}

/// <summary>
/// Keyed state with a hard bound on keys. Past <see cref="MaxKeys"/>, the least recently touched
/// eighth is dropped in one go (and counted), which costs far less memory than a linked recency list
/// per key and amortises the sort over many inserts.
/// </summary>
internal sealed class KeyedStateTable<TState>(int maxKeys) where TState : KeyedState
{
    private readonly Dictionary<string, TState> _states = new(StringComparer.Ordinal);
    private long _clock;

    public int MaxKeys { get; } = maxKeys > 0 ? maxKeys : throw new ArgumentOutOfRangeException(nameof(maxKeys), "at least one key");

    /// <summary>Keys dropped to stay within <see cref="MaxKeys"/>.</summary>
    public long Evicted { get; private set; }

    public int Count => _states.Count;

    public IEnumerable<KeyValuePair<string, TState>> Entries => _states;

    /// <summary>The state of <paramref name="key"/>, created when new; either way it becomes the most recent.</summary>
    public TState Touch(string key, Func<TState> create)
    {
        if (!_states.TryGetValue(key, out var state))
        {
            state = create();
            _states.Add(key, state);
            state.Touched = ++_clock;
            EvictIfFull();
            return state;
        }

        state.Touched = ++_clock;
        return state;
    }

    public bool TryGet(string key, out TState state) => _states.TryGetValue(key, out state!);

    public void Remove(string key) => _states.Remove(key);

    /// <summary>Adds state read back from a baseline (older than anything touched since).</summary>
    public void Restore(string key, TState state)
    {
        state.Touched = ++_clock;
        _states[key] = state;
        EvictIfFull();
    }

    /// <summary>Drops every key whose state <paramref name="isStale"/> says is dead.</summary>
    public int RemoveWhere(Func<TState, bool> isStale)
    {
        var removed = 0;
        foreach (var (key, state) in _states)
        {
            if (isStale(state))
            {
                _states.Remove(key);
                removed++;
            }
        }

        return removed;
    }

    private void EvictIfFull()
    {
        if (_states.Count <= MaxKeys)
        {
            return;
        }

        // Drop down to 7/8 of the bound, so the next eviction is MaxKeys/8 inserts away.
        var target = MaxKeys - (MaxKeys / 8);
        var touched = new long[_states.Count];
        var i = 0;
        foreach (var state in _states.Values)
        {
            touched[i++] = state.Touched;
        }

        Array.Sort(touched);
        var cutoff = touched[_states.Count - target - 1];
        foreach (var (key, state) in _states)
        {
            if (state.Touched <= cutoff)
            {
                _states.Remove(key);
                Evicted++;
            }
        }
    }
}
