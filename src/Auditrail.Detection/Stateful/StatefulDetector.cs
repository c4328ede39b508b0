using Auditrail.Core.Model;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Stateful;

/// <summary>What a stateful detector reports when it fires: how many events, over what window, which requests, and why.</summary>
public sealed record StatefulFiring(int Count, TimeSpan? Window, IReadOnlyList<string> AuditIds, string Detail);

/// <summary>
/// The state one stateful rule keeps between events. Events arrive in event order (within the engine's
/// lateness tolerance), each already known to match the rule's condition.
/// </summary>
internal abstract class StatefulDetector(CompiledRule rule)
{
    public CompiledRule Rule { get; } = rule;

    public abstract int Keys { get; }

    /// <summary>Keys (or, for learned terms, values) dropped to bound memory.</summary>
    public abstract long Evicted { get; }

    /// <param name="steps">For a sequence rule, the steps the event matched.</param>
    public abstract StatefulFiring? Observe(AuditEvent auditEvent, DateTimeOffset time, uint steps);

    /// <summary>Creates the detector a rule's stateful part asks for, or null for a stateless rule.</summary>
    public static StatefulDetector? For(CompiledRule rule, DetectionOptions options)
    {
        var definition = rule.Definition;
        return definition switch
        {
            { Threshold: { } threshold } => new ThresholdDetector(rule, threshold, options.MaxKeys),
            { Distinct: { } distinct } => new DistinctDetector(rule, distinct, options.MaxKeys),
            { Sequence: { } sequence } => new SequenceDetector(rule, sequence, options.MaxKeys),
            { NewTerms: { } newTerms } => new NewTermsDetector(rule, newTerms, options.MaxKeys),
            { Rate: { } rate } => new RateDetector(rule, rate, options.MaxKeys),
            _ => null,
        };
    }
}

/// <summary>A detector whose learned state is worth keeping across runs (new terms, usual rates).</summary>
internal interface ILearningDetector
{
    /// <summary>The detector kind and the settings that give its state meaning; a baseline learned under others is not reused.</summary>
    string Fingerprint { get; }

    /// <summary>
    /// The salt of the key (and value) hashes, saved with the baseline so a later run recognises what
    /// was learned; set it only before the first event.
    /// </summary>
    long HashSeed { get; set; }

    /// <summary>Marks every key as trained, so its learning period is over (after <c>baseline learn</c>).</summary>
    void CompleteLearning();

    void Save(System.Text.Json.Utf8JsonWriter writer, DateTimeOffset now);

    /// <summary>Restores keys from a saved baseline; returns how many were read.</summary>
    int Load(System.Text.Json.JsonElement keys);
}

/// <summary>
/// One event a detector remembers: its time (UTC ticks) and audit ID. The apiserver's audit IDs are
/// lowercase UUIDs, kept as 16 bytes instead of a 36-character string; anything else is kept as text.
/// </summary>
internal readonly struct Hit
{
    private readonly Guid _id;
    private readonly string? _otherId;

    public Hit(long ticks, string? auditId)
    {
        Ticks = ticks;
        if (auditId is not null && auditId.AsSpan().IndexOfAnyInRange('A', 'Z') < 0 && Guid.TryParseExact(auditId, "D", out var id) && id != Guid.Empty)
        {
            _id = id;
        }
        else
        {
            _otherId = auditId;
        }
    }

    public long Ticks { get; }

    public string? AuditId => _otherId ?? (_id == Guid.Empty ? null : _id.ToString("D"));
}

/// <summary>How learning detectors write and read a key of a baseline.</summary>
internal static class BaselineKeys
{
    /// <summary>Keys are saved as their salted hash: a baseline names no identity it learned.</summary>
    public static void Write(System.Text.Json.Utf8JsonWriter writer, ulong hash) =>
        writer.WriteString("keyHash", hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The key of a saved entry: <c>keyHash</c> as written, or <c>key</c> as text (for baselines written by hand).</summary>
    public static ulong Read(System.Text.Json.JsonElement item, Func<string, ulong> hashOf) =>
        item.TryGetProperty("key", out var text)
            ? hashOf(text.GetString() ?? string.Empty)
            : ulong.Parse(item.GetProperty("keyHash").GetString() ?? string.Empty, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
}
