using System.Runtime.InteropServices;
using System.Text.Json;
using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Stateful;

/// <summary>
/// Learns each key's usual number of matching events per hour, separately for each hour of the day
/// (a CI account busy at 02:00 and a human busy at 10:00 are both normal), and alerts when the current
/// hour exceeds the usual count many times over. The usual count is a running mean over the last
/// <see cref="MemoryHours"/> samples of that hour, with idle hours counted as zero.
/// </summary>
internal sealed class RateDetector(CompiledRule rule, RuleRate rate, int maxKeys) : StatefulDetector(rule), ILearningDetector
{
    /// <summary>How many past samples of an hour of day the mean weighs (about a month of days).</summary>
    private const int MemoryHours = 30;

    /// <summary>Idle hours folded in as zeros at most this far back (a week), so a long silence costs little.</summary>
    private const int MaxIdleHoursFolded = 24 * 7;

    private readonly KeyedStateTable<Profile> _keys = new(maxKeys);
    private readonly GroupKey _key = new(rate.By);

    public override int Keys => _keys.Count;

    public override long Evicted => _keys.Evicted;

    public string Fingerprint => $"rate;by={_key.Description}";

    /// <summary>Keys are kept as salted hashes; the salt travels with the baseline.</summary>
    public long HashSeed
    {
        get => _keys.Seed;
        set => _keys.Seed = value;
    }

    /// <summary>Twenty-four values stored inline, so a profile is one struct and no arrays.</summary>
    [System.Runtime.CompilerServices.InlineArray(24)]
    internal struct Hours<T>
    {
        private T _first;
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Profile
    {
        public long FirstSeen;
        public bool Trained;
        public Hours<Half> Mean;
        public Hours<byte> Samples;

        /// <summary>Start of the hour being counted (UTC ticks), its count so far, and whether it already alerted.</summary>
        public long Hour;
        public int Count;
        public bool Alerted;

        public void Fold(int hourOfDay, int count)
        {
            var n = Math.Min(Samples[hourOfDay] + 1, MemoryHours);
            Samples[hourOfDay] = (byte)n;
            var mean = (float)Mean[hourOfDay];
            Mean[hourOfDay] = (Half)(mean + ((count - mean) / n));
        }
    }

    public override StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps)
    {
        var ticks = time.UtcTicks;
        var hour = ticks - (ticks % TimeSpan.TicksPerHour);
        var key = _key.Of(auditEvent);
        ref var profile = ref _keys.Touch(key, out var added);
        if (added)
        {
            profile = new Profile { FirstSeen = ticks, Hour = hour };
        }

        profile.FirstSeen = Math.Min(profile.FirstSeen, ticks);
        if (hour > profile.Hour)
        {
            CloseHours(ref profile, hour);
        }
        else if (hour < profile.Hour)
        {
            // A late event for an hour already closed: too late to change that hour's verdict.
            return null;
        }

        profile.Count++;
        var hourOfDay = HourOfDay(hour);
        var usual = profile.Samples[hourOfDay] == 0 ? 0f : (float)profile.Mean[hourOfDay];
        var learning = !profile.Trained && ticks - profile.FirstSeen < rate.LearnFor.Ticks;
        if (learning || profile.Alerted || profile.Count < rate.MinCount || profile.Count <= rate.Factor * Math.Max(usual, 1))
        {
            return null;
        }

        profile.Alerted = true;
        var ids = auditEvent.AuditId is { } id ? new[] { id } : [];
        return new StatefulFiring(profile.Count, TimeSpan.FromHours(1), ids,
            $"{profile.Count} events in the hour from {new DateTimeOffset(hour, TimeSpan.Zero):HH:mm}Z for {GroupKey.Display(key)}, usually {usual:0.#}");
    }

    /// <summary>Folds the finished hour into its hour of day, and the idle hours since as zeros.</summary>
    private static void CloseHours(ref Profile profile, long hour)
    {
        profile.Fold(HourOfDay(profile.Hour), profile.Count);
        var idle = (hour - profile.Hour) / TimeSpan.TicksPerHour - 1;
        var start = profile.Hour + (Math.Max(0, idle - MaxIdleHoursFolded) + 1) * TimeSpan.TicksPerHour;
        for (var h = start; h < hour; h += TimeSpan.TicksPerHour)
        {
            profile.Fold(HourOfDay(h), 0);
        }

        profile.Hour = hour;
        profile.Count = 0;
        profile.Alerted = false;
    }

    private static int HourOfDay(long hourTicks) => (int)(hourTicks / TimeSpan.TicksPerHour % 24);

    public void CompleteLearning()
    {
        foreach (var slot in _keys.Slots())
        {
            _keys.StateAt(slot).Trained = true;
        }
    }

    public void Save(Utf8JsonWriter writer, DateTimeOffset now)
    {
        writer.WriteStartArray();
        foreach (var slot in _keys.Slots())
        {
            ref var profile = ref _keys.StateAt(slot);
            writer.WriteStartObject();
            BaselineKeys.Write(writer, _keys.HashAt(slot));
            writer.WriteString("firstSeen", new DateTimeOffset(profile.FirstSeen, TimeSpan.Zero));
            writer.WriteBoolean("trained", profile.Trained);
            writer.WriteString("hour", new DateTimeOffset(profile.Hour, TimeSpan.Zero));
            writer.WriteNumber("count", profile.Count);
            writer.WriteBoolean("alerted", profile.Alerted);
            writer.WriteStartArray("mean");
            foreach (var mean in profile.Mean)
            {
                writer.WriteNumberValue(Math.Round((float)mean, 2));
            }

            writer.WriteEndArray();
            writer.WriteStartArray("samples");
            foreach (var samples in profile.Samples)
            {
                writer.WriteNumberValue(samples);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public int Load(JsonElement keys)
    {
        var loaded = 0;
        foreach (var item in keys.EnumerateArray())
        {
            var profile = new Profile
            {
                FirstSeen = item.GetProperty("firstSeen").GetDateTimeOffset().UtcTicks,
                Trained = item.GetProperty("trained").GetBoolean(),
                Hour = item.GetProperty("hour").GetDateTimeOffset().UtcTicks,
                Count = item.GetProperty("count").GetInt32(),
                Alerted = item.GetProperty("alerted").GetBoolean(),
            };
            var means = item.GetProperty("mean").EnumerateArray().Select(m => (Half)m.GetSingle()).ToArray();
            var samples = item.GetProperty("samples").EnumerateArray().Select(s => s.GetByte()).ToArray();
            if (means.Length != 24 || samples.Length != 24)
            {
                throw new FormatException("mean and samples need 24 hours each");
            }

            means.CopyTo(profile.Mean);
            samples.CopyTo(profile.Samples);
            _keys.TouchHash(BaselineKeys.Read(item, _keys.HashOf), out _) = profile;
            loaded++;
        }

        return loaded;
    }
}
