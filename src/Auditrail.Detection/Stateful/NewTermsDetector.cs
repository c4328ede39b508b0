using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// Learns what is normal per key (the source IPs, user agents or verb-resource pairs of each identity)
/// and alerts on a value never seen before. A key learns silently for the rule's learning period from
/// its first event, or not at all once a baseline trained on old logs says it is known. Each new value
/// alerts once and is then part of normal; values unseen for the expiry period are forgotten.
/// With distinct values in the millions the odds that a new value hashes like a known one (and goes
/// unreported) stay below one in a billion.
/// </summary>
internal sealed class NewTermsDetector(CompiledRule rule, RuleNewTerms newTerms, int maxKeys) : StatefulDetector(rule), ILearningDetector
{
    /// <summary>Values kept per key; past it the stalest gives way (a key with thousands of "normal" values learns little).</summary>
    public const int MaxTermsPerKey = 4096;

    private readonly KeyedStateTable<Terms> _keys = new(maxKeys);
    private readonly GroupKey _key = new(newTerms.By);
    private readonly GroupKey _term = new(newTerms.Fields);
    private long _evictedTerms;

    public override int Keys => _keys.Count;

    public override long Evicted => _keys.Evicted + _evictedTerms;

    /// <summary>
    /// Keys and learned values are kept as salted 64-bit hashes, in memory and in the baseline file: a
    /// term costs sixteen bytes whatever its length, and a baseline reveals no identities, addresses
    /// or user agents. The salt is saved with the baseline so a later run recognises what was learned.
    /// </summary>
    public long HashSeed
    {
        get => _keys.Seed;
        set => _keys.Seed = value;
    }

    private ulong TermHash(string value) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(value.AsSpan()), ~HashSeed);

    public string Fingerprint => $"newTerms;by={_key.Description};fields={_term.Description}";

    /// <summary>
    /// One key's learned values with the last time each was seen. Most keys have a handful (often
    /// one, kept inline), searched linearly; an index is added only for keys with many.
    /// </summary>
    [StructLayout(LayoutKind.Auto)]
    private struct Terms
    {
        public long FirstSeen;
        public long LastSweep;
        public bool Trained;
        public InlineList<(ulong Hash, long LastSeen)> Values;
        public Dictionary<ulong, int>? Index;

        public readonly int Count => Values.Count;

        public readonly int IndexOf(ulong value)
        {
            if (Index is not null)
            {
                return Index.GetValueOrDefault(value, -1);
            }

            for (var i = 0; i < Values.Count; i++)
            {
                if (Values[i].Hash == value)
                {
                    return i;
                }
            }

            return -1;
        }

        public void Add(ulong value, long ticks)
        {
            Values.Add((value, ticks));
            Index?.Add(value, Values.Count - 1);
            if (Index is null && Values.Count > 16)
            {
                Reindex();
            }
        }

        public void Seen(int index, long ticks) => Values[index] = (Values[index].Hash, Math.Max(Values[index].LastSeen, ticks));

        /// <summary>Removes values last seen at or before <paramref name="ticks"/>; returns how many.</summary>
        public int RemoveSeenBefore(long ticks)
        {
            var removed = Values.RemoveWhere(static (v, limit) => v.LastSeen <= limit, ticks);
            if (removed > 0 && Index is not null)
            {
                Reindex();
            }

            return removed;
        }

        public readonly long Stalest()
        {
            var stalest = long.MaxValue;
            for (var i = 0; i < Values.Count; i++)
            {
                stalest = Math.Min(stalest, Values[i].LastSeen);
            }

            return stalest;
        }

        private void Reindex()
        {
            Index = new Dictionary<ulong, int>(Values.Count);
            for (var i = 0; i < Values.Count; i++)
            {
                Index[Values[i].Hash] = i;
            }
        }
    }

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        var ticks = time.UtcTicks;
        var key = _key.Of(auditEvent);
        ref var terms = ref _keys.Touch(key, out var added);
        if (added)
        {
            terms = new Terms { FirstSeen = ticks, LastSweep = ticks };
        }

        terms.FirstSeen = Math.Min(terms.FirstSeen, ticks);
        Expire(ref terms, ticks);

        var value = _term.Of(auditEvent);
        var hash = TermHash(value);
        var index = terms.IndexOf(hash);
        if (index >= 0)
        {
            terms.Seen(index, ticks);
            return null;
        }

        var learning = !terms.Trained && ticks - terms.FirstSeen < newTerms.LearnFor.Ticks;
        var known = terms.Count;
        if (terms.Count >= MaxTermsPerKey)
        {
            _evictedTerms += terms.RemoveSeenBefore(terms.Stalest());
        }

        terms.Add(hash, ticks);
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
            terms.RemoveSeenBefore(expiredBefore);
            if (terms.Count == 0)
            {
                continue;
            }

            writer.WriteStartObject();
            BaselineKeys.Write(writer, _keys.HashAt(slot));
            writer.WriteString("firstSeen", new DateTimeOffset(terms.FirstSeen, TimeSpan.Zero));
            writer.WriteBoolean("trained", terms.Trained);
            writer.WriteStartObject("terms");
            for (var i = 0; i < terms.Count; i++)
            {
                writer.WriteString(terms.Values[i].Hash.ToString("x16", CultureInfo.InvariantCulture), new DateTimeOffset(terms.Values[i].LastSeen, TimeSpan.Zero));
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
            var firstSeen = item.GetProperty("firstSeen").GetDateTimeOffset().UtcTicks;
            var terms = new Terms { FirstSeen = firstSeen, LastSweep = firstSeen, Trained = item.GetProperty("trained").GetBoolean() };
            foreach (var term in item.GetProperty("terms").EnumerateObject())
            {
                terms.Add(ulong.Parse(term.Name, NumberStyles.HexNumber, CultureInfo.InvariantCulture), term.Value.GetDateTimeOffset().UtcTicks);
            }

            _keys.TouchHash(BaselineKeys.Read(item, _keys.HashOf), out _) = terms;
            loaded++;
        }

        return loaded;
    }
}
