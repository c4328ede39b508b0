using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Storage;
using Auditrail.Storage.Queries;

namespace Auditrail.Cli.Commands.Query;

/// <summary>The options every command that reads or writes the event store shares, and opening it with clear errors.</summary>
internal static class StoreArguments
{
    public static Option<string> Store(string purpose) => new("--store")
    {
        Description = $"The event store (a DuckDB file) to {purpose}; default ./{StoreOptions.DefaultPath}.",
        HelpName = "PATH",
        DefaultValueFactory = _ => StoreOptions.DefaultPath,
    };

    /// <summary>Opens the store; on failure prints why and returns null.</summary>
    public static IEventStore? TryOpen(CliContext context, string path, bool readOnly)
    {
        try
        {
            return DuckDbEventStore.Open(new StoreOptions(path) { ReadOnly = readOnly });
        }
        catch (StoreException ex)
        {
            context.Error.WriteLine($"error: {ex.Message}");
            return null;
        }
    }

    /// <summary>--since, --until, --cluster and --limit, as every query verb takes them.</summary>
    public sealed class WindowOptions
    {
        public Option<string?> Since { get; } = new("--since") { Description = "Only events at or after this time (RFC 3339)." };
        public Option<string?> Until { get; } = new("--until") { Description = "Only events before this time (RFC 3339)." };
        public Option<string?> Cluster { get; } = new("--cluster") { Description = "Only events of this cluster (annotation auditrail.io/cluster)." };

        public Option<int> Limit { get; } = new("--limit")
        {
            Description = $"Rows at most (newest first; default {QueryWindow.DefaultLimit}).",
            DefaultValueFactory = _ => QueryWindow.DefaultLimit,
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Since);
            command.Options.Add(Until);
            command.Options.Add(Cluster);
            command.Options.Add(Limit);
        }

        public QueryWindow? TryRead(CliContext context, ParseResult parseResult)
        {
            if (!TimeOptions.TryParse(context, "--since", parseResult.GetValue(Since), out var since)
                || !TimeOptions.TryParse(context, "--until", parseResult.GetValue(Until), out var until))
            {
                return null;
            }

            // A command may take the window without --limit (backtest replays everything in it).
            var limit = parseResult.CommandResult.Command.Options.Contains(Limit) ? parseResult.GetValue(Limit) : QueryWindow.DefaultLimit;
            if (limit < 1)
            {
                context.Error.WriteLine($"error: --limit must be at least 1 (got {limit})");
                return null;
            }

            return new QueryWindow { Since = since, Until = until, Cluster = parseResult.GetValue(Cluster), Limit = limit };
        }
    }
}
