using System.CommandLine;
using System.Globalization;
using Auditrail.Cli.Commands.Query;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Rules;
using Auditrail.Storage.Retention;
using Auditrail.Storage.Writing;

namespace Auditrail.Cli.Commands.Import;

/// <summary><c>auditrail import</c>: loads audit logs into the event store (redacted, one row per request) for <c>query</c> and <c>rules backtest</c>.</summary>
internal static class ImportCommand
{
    public const string Examples = """
          # Load a day of logs into ./auditrail.duckdb
          auditrail import /var/log/kubernetes/audit/

          # Into a given store; importing the same file again adds nothing
          auditrail import kube-apiserver-audit.log.gz --store /srv/auditrail/audit.duckdb

          # Keep 30 days and at most 20 GiB: older events are purged after the import
          auditrail import today.log --max-age 30d --max-size 20GiB
        """;

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("logs")
        {
            Description = "Audit logs: files, directories or - for stdin, in any format `auditrail read` takes.",
            Arity = ArgumentArity.OneOrMore,
        };
        var store = StoreArguments.Store("write (created if missing)");
        var maxAge = new Option<string?>("--max-age") { Description = "After the import, purge events and alerts older than this (30d, 12h) measured from now." };
        var maxSize = new Option<string?>("--max-size") { Description = "After the import, purge the oldest events until the store uses at most this much (500MiB, 20GiB)." };
        var progress = ProgressOptions.CreateForce();
        var noProgress = ProgressOptions.CreateDisable();
        var command = new Command("import", "Load audit logs into the event store (redacted; multi-stage records kept once, at their most complete stage).")
        {
            paths, store, maxAge, maxSize, progress, noProgress,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(context, parseResult.GetValue(paths) ?? [], parseResult.GetValue(store)!,
            parseResult.GetValue(maxAge), parseResult.GetValue(maxSize), parseResult.GetValue(progress), parseResult.GetValue(noProgress), cancellationToken)));
        return command;
    }

    private static int Run(CliContext context, string[] paths, string storePath, string? maxAgeText, string? maxSizeText, bool force, bool disable, CancellationToken cancellationToken)
    {
        if (!TryReadRetention(context, maxAgeText, maxSizeText, out var retention))
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        if (force && disable)
        {
            context.Error.WriteLine("error: --progress and --no-progress cannot be used together");
            return ExitCodes.UsageOrUnusableInput;
        }

        using var store = StoreArguments.TryOpen(context, storePath, readOnly: false);
        if (store is null)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        var totalBytes = ProgressOptions.TotalBytes(paths);
        var progress = ProgressOptions.ShouldShow(force, disable, context.InteractiveError, totalBytes)
            ? new ProgressLine(context.Error, "importing", totalBytes, TimeProvider.System)
            : null;
        ReadCounters read;
        IngestCounters stored;
        using (var writer = store.OpenWriter())
        {
            var handler = new StoringHandler(context, writer, progress);
            try
            {
                read = new AuditLogReader().ReadPaths(paths, handler, cancellationToken, context.OpenStdin);
                writer.Flush();
            }
            finally
            {
                progress?.Clear();
            }

            stored = writer.Counters;
        }

        context.Out.WriteLine($"read {read.Events:N0} events from {read.Sources:N0} sources ({ByteSize.Format(read.Bytes)}), {read.Errors:N0} bad records");
        context.Out.WriteLine($"stored {stored.Inserted:N0} ({stored.Superseded:N0} replaced an earlier stage of the same request), "
            + $"skipped {stored.Duplicates:N0} duplicates (stages or requests already stored)");
        if (!retention.IsEmpty)
        {
            var purge = store.Purge(retention);
            context.Out.WriteLine($"purged {purge.EventsDeleted:N0} events and {purge.AlertsDeleted:N0} alerts"
                + (purge.Cutoff is { } cutoff ? $" before {QueryCommand.Time(cutoff)}" : string.Empty)
                + $"; store uses {ByteSize.Format(purge.BytesAfter)}");
        }

        var info = store.GetInfo();
        context.Out.WriteLine($"{storePath}: {info.Events:N0} events, {info.Alerts:N0} alerts, {QueryCommand.Time(info.Oldest)} .. {QueryCommand.Time(info.Newest)}, {ByteSize.Format(info.FileBytes)} on disk");
        if (read.Events == 0 && read.Errors > 0)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        return read.Errors > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    /// <summary>Parses --max-age (a duration such as 30d) and --max-size (bytes with an optional KiB/MiB/GiB/TiB suffix).</summary>
    internal static bool TryReadRetention(CliContext context, string? maxAge, string? maxSize, out RetentionPolicy policy)
    {
        policy = new RetentionPolicy();
        if (maxAge is not null)
        {
            if (!RulePackLoader.TryParseDuration(maxAge, out var age))
            {
                context.Error.WriteLine($"error: --max-age '{maxAge}' is not a duration such as 12h or 30d");
                return false;
            }

            policy = policy with { MaxAge = age };
        }

        if (maxSize is not null)
        {
            if (!TryParseSize(maxSize, out var bytes))
            {
                context.Error.WriteLine($"error: --max-size '{maxSize}' is not a size such as 500MiB or 20GiB");
                return false;
            }

            policy = policy with { MaxBytes = bytes };
        }

        return true;
    }

    internal static bool TryParseSize(string text, out long bytes)
    {
        (string Suffix, long Factor)[] units = [("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("B", 1)];
        var trimmed = text.Trim();
        var (suffix, factor) = units.FirstOrDefault(u => trimmed.EndsWith(u.Suffix, StringComparison.OrdinalIgnoreCase));
        var number = suffix is null ? trimmed : trimmed[..^suffix.Length].Trim();
        bytes = 0;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return false;
        }

        bytes = (long)(value * (suffix is null ? 1 : factor));
        return bytes > 0;
    }

    /// <summary>Hands every event to the writer and every bad record to stderr, with its file:line.</summary>
    private sealed class StoringHandler(CliContext context, EventWriter writer, ProgressLine? progress) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            writer.Append(auditEvent);
            if (progress is not null)
            {
                progress.Events++;
            }
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
            progress?.Clear();
            context.Error.WriteLine(diagnostic.ToString());
        }

        public void OnSourceStart(string source) => progress?.SourceStarted();

        public void OnProgress(string source, long bytesRead, long totalBytes) => progress?.Report(bytesRead);
    }
}
