namespace Auditrail.Storage.Writing;

/// <summary>What a writer did with the events it was given.</summary>
public sealed record IngestCounters
{
    /// <summary>Records handed to the writer.</summary>
    public long Received { get; init; }

    /// <summary>Rows added: a request not stored before, or a more complete stage of one that was.</summary>
    public long Inserted { get; init; }

    /// <summary>Stored rows replaced by a more complete stage of the same request (counted in <see cref="Inserted"/> too).</summary>
    public long Superseded { get; init; }

    /// <summary>Records skipped: the store already held the request at the same or a more complete stage.</summary>
    public long Duplicates => Received - Inserted;

    /// <summary>Alerts stored; an alert already stored (same rule, time, audit ID and identity) is not stored twice.</summary>
    public long Alerts { get; init; }

    /// <summary>Time spent merging batches into the events table (the deduplicating delete and anti-join insert).</summary>
    public TimeSpan MergeTime { get; init; }
}
