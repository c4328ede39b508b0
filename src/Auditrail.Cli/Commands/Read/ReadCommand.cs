using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Reading;

namespace Auditrail.Cli.Commands.Read;

/// <summary><c>auditrail read</c>: prints normalized, redacted events, or statistics about the input.</summary>
internal static class ReadCommand
{
    public const string Examples = """
          # Print every event of a log-backend file as normalized JSON lines
          auditrail read /var/log/kubernetes/audit/audit.log

          # Read a whole directory (rotated and gzipped files included) and summarize it
          auditrail read /var/log/kubernetes/audit --stats

          # Read a GKE export from stdin and show a table
          gcloud logging read 'resource.type="k8s_cluster"' --format json | auditrail read - -o table

          # Statistics as JSON for CI; exit code 1 means some records were rejected
          auditrail read audit.log.gz --stats -o json
        """;

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Audit log files, directories (read recursively) or - for stdin. Any supported format, gzip or not.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = OutputOption.Create("json lines for events, table for --stats");
        var stats = new Option<bool>("--stats")
        {
            Description = "Print counts by source, input format, stage, verb, identity kind and response code, and list the bad records, instead of the events.",
        };
        var maxEventBytes = new Option<int>("--max-event-bytes")
        {
            Description = "Events larger than this are reported and skipped without being read whole.",
            DefaultValueFactory = _ => AuditReaderOptions.Default.MaxEventBytes,
        };
        var maxDiagnostics = new Option<int>("--max-diagnostics")
        {
            Description = "How many bad-record diagnostics to print (all are counted).",
            DefaultValueFactory = _ => 100,
        };

        var progress = ProgressOptions.CreateForce();
        var noProgress = ProgressOptions.CreateDisable();
        var command = new Command("read", "Read audit events from any supported source and print them normalized to audit.k8s.io/v1, with secret values redacted.")
        {
            paths,
            output,
            stats,
            maxEventBytes,
            maxDiagnostics,
            progress,
            noProgress,
        };

        command.SetAction((parseResult, cancellationToken) =>
        {
            var options = new ReadOptions(
                parseResult.GetValue(paths) ?? [],
                parseResult.GetValue(output),
                parseResult.GetValue(stats),
                parseResult.GetValue(maxEventBytes),
                parseResult.GetValue(maxDiagnostics))
            {
                ForceProgress = parseResult.GetValue(progress),
                NoProgress = parseResult.GetValue(noProgress),
            };
            return Task.FromResult(Run(context, options, cancellationToken));
        });
        return command;
    }

    internal sealed record ReadOptions(string[] Paths, OutputFormat? Output, bool Stats, int MaxEventBytes, int MaxDiagnostics)
    {
        public bool ForceProgress { get; init; }
        public bool NoProgress { get; init; }
    }

    internal static int Run(CliContext context, ReadOptions options, CancellationToken cancellationToken)
    {
        if (options.MaxEventBytes < 1024)
        {
            context.Error.WriteLine("error: --max-event-bytes must be at least 1024");
            return ExitCodes.UsageOrUnusableInput;
        }

        if (options.ForceProgress && options.NoProgress)
        {
            context.Error.WriteLine("error: --progress and --no-progress cannot be used together");
            return ExitCodes.UsageOrUnusableInput;
        }

        var format = options.Output ?? (options.Stats ? OutputFormat.Table : OutputFormat.Json);
        var statistics = options.Stats ? new ReadStatistics(Math.Max(options.MaxDiagnostics, 0)) : null;
        var totalBytes = ProgressOptions.TotalBytes(options.Paths);
        var progress = ProgressOptions.ShouldShow(options.ForceProgress, options.NoProgress, context.InteractiveError, totalBytes)
            ? new ProgressLine(context.Error, "reading", totalBytes, TimeProvider.System)
            : null;
        using var handler = new ReadHandler(context, format, statistics, options.MaxDiagnostics, progress);
        var readerOptions = new AuditReaderOptions { MaxEventBytes = options.MaxEventBytes };
        var reader = new AuditLogReader(readerOptions);

        ReadCounters counters;
        try
        {
            counters = reader.ReadPaths(options.Paths, handler, cancellationToken, context.OpenStdin);
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("interrupted");
            return ExitCodes.UsageOrUnusableInput;
        }

        handler.Finish();
        if (statistics is not null)
        {
            WriteStatistics(context, format, statistics, counters);
        }

        handler.WriteSummary(counters);
        return ExitCodeFor(counters, handler.UnusableSources);
    }

    private static void WriteStatistics(CliContext context, OutputFormat format, ReadStatistics statistics, ReadCounters counters)
    {
        if (format == OutputFormat.Table)
        {
            statistics.WriteTables(context.CreateConsole(), counters);
            return;
        }

        StructuredOutput.Write(context, format, writer => statistics.WriteJson(writer, counters));
    }

    /// <summary>
    /// 2 when a source could not be read at all or nothing was found in any input; 1 when some records
    /// were rejected; 0 otherwise. A directory's non-JSON files are warnings, not failures.
    /// </summary>
    private static int ExitCodeFor(ReadCounters counters, int unusableSources)
    {
        if (unusableSources > 0 || (counters.Events == 0 && counters.Errors > 0))
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        return counters.Errors > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
    }
}
