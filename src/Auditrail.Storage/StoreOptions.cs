namespace Auditrail.Storage;

/// <summary>Where the store lives and how to open it.</summary>
public sealed record StoreOptions(string Path)
{
    /// <summary>The store a command uses when no <c>--store</c> is given: <c>./auditrail.duckdb</c>.</summary>
    public const string DefaultPath = "auditrail.duckdb";

    /// <summary>Open without write access (any number of processes may); the file must exist.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// DuckDB's memory limit in bytes (its buffer manager: cached blocks and the working memory of
    /// queries, which spill to a temp file next to the store beyond it). Default 2 GiB: DuckDB's own
    /// default is 80% of the machine's RAM, which one import of 10M events took (11 GB).
    /// </summary>
    public long MemoryLimitBytes { get; init; } = 2L << 30;

    /// <summary>DuckDB's worker threads; null for one per core (DuckDB's default).</summary>
    public int? Threads { get; init; }

    /// <summary>The clock retention measures ages against.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
