namespace Auditrail.Storage;

/// <summary>Where the store lives and how to open it.</summary>
public sealed record StoreOptions(string Path)
{
    /// <summary>The store a command uses when no <c>--store</c> is given: <c>./auditrail.duckdb</c>.</summary>
    public const string DefaultPath = "auditrail.duckdb";

    /// <summary>Open without write access (any number of processes may); the file must exist.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The clock retention measures ages against.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
