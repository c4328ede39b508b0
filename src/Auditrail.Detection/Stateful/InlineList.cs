namespace Auditrail.Detection.Stateful;

/// <summary>
/// A list whose first item lives inline and the rest in an array made only when a second arrives.
/// Most keys of a stateful rule hold one item, so with a million keys this saves a million arrays.
/// A mutable struct: use it through a <c>ref</c> (a field of a slot, an array element).
/// </summary>
internal struct InlineList<T>
{
    private T _first;
    private T[]? _rest;

    public int Count { get; private set; }

    public T this[int index]
    {
        readonly get => index == 0 ? _first : _rest![index - 1];
        set
        {
            if (index == 0)
            {
                _first = value;
            }
            else
            {
                _rest![index - 1] = value;
            }
        }
    }

    public void Add(T item)
    {
        if (Count > 0)
        {
            _rest ??= new T[1];
            if (Count - 1 == _rest.Length)
            {
                Array.Resize(ref _rest, _rest.Length * 2);
            }
        }

        Count++;
        this[Count - 1] = item;
    }

    /// <summary>Drops the items <paramref name="remove"/> picks, keeping the order of the rest; returns how many were dropped.</summary>
    public int RemoveWhere<TState>(Func<T, TState, bool> remove, TState state)
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            var item = this[i];
            if (!remove(item, state))
            {
                this[kept++] = item;
            }
        }

        var removed = Count - kept;
        for (var i = kept; i < Count; i++)
        {
            this[i] = default!;
        }

        Count = kept;
        if (kept <= 1)
        {
            _rest = null;
        }

        return removed;
    }

    public void RemoveAt(int index)
    {
        for (var i = index; i < Count - 1; i++)
        {
            this[i] = this[i + 1];
        }

        this[Count - 1] = default!;
        Count--;
        if (Count <= 1)
        {
            _rest = null;
        }
    }

    public void Clear() => this = default;
}
