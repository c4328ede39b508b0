using System.Text.Json;
using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// Learns what is normal per key (the source IPs, user agents or verb-resource pairs of each identity)
/// and alerts on a value never seen before. A key learns silently for the rule's learning period from
/// its first event, or not at all once a baseline trained on old logs says it is known. Each new value
/// alerts once and is then part of normal; values unseen for the expiry period are forgotten.
/// </summary>
internal sealed class NewTermsDetector(CompiledRule rule, RuleNewTerms newTerms, int maxKeys) : StatefulDetector(rule), ILearningDetector
{
    /// <summary>Values kept per key; past it the stalest gives way (a key with thousands of "normal" values learns little).</summary>
    public const int MaxTermsPerKey = 4096;

    private readonly KeyedStateTable<Terms> _keys = new(maxKeys, keepKeys: true);
    private readonly GroupKey _key = new(newTerms.By);
    private readonly GroupKey _term = new(newTerms.Fields);
    private long _evictedTerms;

    public override int Keys => _keys.Count;

    public override long Evicted => _keys.Evicted + _evictedTerms;

    public string Fingerprint => $"newTerms;by={_key.Description};fields={_term.Description}";

    /// <summary>
    /// One key's learned values with the last time each was seen. Most keys have a handful, so they
    /// live in parallel arrays searched linearly; an index is added only for keys with many.
    /// </summary>
    private struct Terms
    {
        public long FirstSeen;
        public bool Trained;
        public long LastSweep;
        public string[] Values;
        public long[] LastSeen;
        public int Count;
        public Dictionary<string, int>? Index;

        public Terms(long firstSeen)
        {
            FirstSeen = firstSeen;
            LastSweep = firstSeen;
            Values = new string[1];
            LastSeen = new long[1];
        }

        public readonly int IndexOf(string value)
        {
            if (Index is not null)
            {
                return Index.GetValueOrDefault(value, -1);
            }

            for (var i = 0; i < Count; i++)
            {
                if (Values[i] == value)
                {
                    return i;
                }
            }

            return -1;
        }

        public void Add(string value, long ticks)
        {
            if (Count == Values.Length)
            {
                Array.Resize(ref Values, Count * 2);
                Array.Resize(ref LastSeen, Count * 2);
            }

            Values[Count] = value;
            LastSeen[Count] = ticks;
            Index?.Add(value, Count);
            Count++;
            if (Index is null && Count > 16)
            {
                Index = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < Count; i++)
                {
                    Index[Values[i]] = i;
                }
            }
        }

        /// <summary>Removes values last seen at or before <paramref name="ticks"/>; returns how many.</summary>
        public int RemoveSeenBefore(long ticks)
        {
            var kept = 0;
            for (var i = 0; i < Count; i++)
            {
                if (LastSeen[i] > ticks)
                {
                    Values[kept] = Values[i];
                    LastSeen[kept] = LastSeen[i];
                    kept++;
                }
            }

            var removed = Count - kept;
            Array.Clear(Values, kept, removed);
            Count = kept;
            if (removed > 0 && Index is not null)
            {
                Index.Clear();
                for (var i = 0; i < Count; i++)
                {
                    Index[Values[i]] = i;
                }
            }

            return removed;
        }

        public readonly long Stalest()
        {
            var stalest = long.MaxValue;
            for (var i = 0; i < Count; i++)
            {
                stalest = Math.Min(stalest, LastSeen[i]);
            }

            return stalest;
        }
    }

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        var ticks = time.UtcTicks;
        var key = _key.Of(auditEvent);
        ref var terms = ref _keys.Touch(key, out var added);
        if (added)
        {
            terms = new Terms(ticks);
        }

        terms.FirstSeen = Math.Min(terms.FirstSeen, ticks);
        Expire(ref terms, ticks);

        var value = _term.Of(auditEvent);
        var index = terms.IndexOf(value);
        if (index >= 0)
        {
            terms.LastSeen[index] = Math.Max(terms.LastSeen[index], ticks);
            return null;
        }

        var learning = !terms.Trained && ticks - terms.FirstSeen < newTerms.LearnFor.Ticks;
        var known = terms.Count;
        if (terms.Count >= MaxTermsPerKey)
        {
            _evictedTerms += terms.RemoveSeenBefore(terms.Stalest());
        }

        terms.Add(value, ticks);
        if (learning)
        {
            return null;
        }

        var ids = auditEvent.AuditId is { } id ? new[] { id } : [];
        return new StatefulFiring(1, null, ids,
            $"new {_term.Description} '{GroupKey.Display(value)}' for {GroupKey.Display(key)} (known: {known} value{(known == 1 ? "" : "s")})");
    }

    /// <summary>Forgets values unseen for the expiry period; swept at most ten times per period per key, so it stays cheap.</summary>
    private void Expire(ref Terms terms, long now)
    {
        if (now - terms.LastSweep < newTerms.ExpireAfter.Ticks / 10)
        {
            return;
        }

        terms.LastSweep = now;
        terms.RemoveSeenBefore(now - newTerms.ExpireAfter.Ticks);
    }

    public void CompleteLearning()
    {
        foreach (var slot in _keys.Slots())
        {
            _keys.StateAt(slot).Trained = true;
        }
    }

    public void Save(Utf8JsonWriter writer, DateTimeOffset now)
    {
        var expiredBefore = now.UtcTicks - newTerms.ExpireAfter.Ticks;
        writer.WriteStartArray();
        foreach (var slot in _keys.Slots())
        {
            ref var terms = ref _keys.StateAt(slot);
            var key = _keys.KeyAt(slot);
            terms.RemoveSeenBefore(expiredBefore);
            if (terms.Count == 0)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteString("firstSeen", new DateTimeOffset(terms.FirstSeen, TimeSpan.Zero));
            writer.WriteBoolean("trained", terms.Trained);
            writer.WriteStartObject("terms");
            for (var i = 0; i < terms.Count; i++)
            {
                writer.WriteString(terms.Values[i], new DateTimeOffset(terms.LastSeen[i], TimeSpan.Zero));
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public int Load(JsonElement keys)
    {
        var loaded = 0;
        foreach (var item in keys.EnumerateArray())
        {
            var terms = new Terms(item.GetProperty("firstSeen").GetDateTimeOffset().UtcTicks) { Trained = item.GetProperty("trained").GetBoolean() };
            foreach (var term in item.GetProperty("terms").EnumerateObject())
            {
                terms.Add(term.Name, term.Value.GetDateTimeOffset().UtcTicks);
            }

            _keys.Touch(item.GetProperty("key").GetString() ?? string.Empty, out _) = terms;
            loaded++;
        }

        return loaded;
    }
}
