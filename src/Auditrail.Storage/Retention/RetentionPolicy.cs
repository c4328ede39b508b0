namespace Auditrail.Storage.Retention;

/// <summary>How much history to keep: events older than <see cref="MaxAge"/> go, then the oldest until the store fits <see cref="MaxBytes"/>.</summary>
public sealed record RetentionPolicy
{
    public TimeSpan? MaxAge { get; init; }
    public long? MaxBytes { get; init; }

    public bool IsEmpty => MaxAge is null && MaxBytes is null;
}

/// <summary>What a purge removed, and the store's used bytes before and after. An empty policy removes nothing and only checkpoints.</summary>
public sealed record PurgeResult(long EventsDeleted, long AlertsDeleted, long BytesBefore, long BytesAfter, DateTimeOffset? Cutoff);
