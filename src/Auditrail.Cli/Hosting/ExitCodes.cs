namespace Auditrail.Cli.Hosting;

/// <summary>Exit codes every verb uses, so CI scripts can tell "found problems" from "could not run".</summary>
public static class ExitCodes
{
    /// <summary>Everything was read and done.</summary>
    public const int Success = 0;

    /// <summary>The command ran, but some input records were rejected (each reported on stderr).</summary>
    public const int BadRecords = 1;

    /// <summary>The command could not do its job: bad arguments, a missing file, nothing readable.</summary>
    public const int UsageOrUnusableInput = 2;
}
