using System.CommandLine;
using Auditrail.Cli.Commands.Query;
using Auditrail.Cli.Commands.Scan;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Stateful;
using Auditrail.Storage.Backtesting;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Rules;

/// <summary><c>auditrail rules backtest</c>: what a rule pack would have raised over the stored history, before it is enabled.</summary>
internal static class BacktestCommand
{
    public const string Examples = """
          # What would my new rules have raised over everything stored?
          auditrail rules backtest --rules my-rules/ --store audit.duckdb

          # The bundled pack plus a draft rule, over one week, as JSON
          auditrail rules backtest --rules default --rules draft.yaml --since 2026-03-01T00:00:00Z --until 2026-03-08T00:00:00Z -o json
        """;

    public static Command Create(CliContext context)
    {
        var rules = new Option<string[]>("--rules")
        {
            Description = "Rule files or directories (repeatable), as scan takes them; 'default' names the bundled pack.",
            Required = true,
        };
        var store = StoreArguments.Store("replay");
        var window = new StoreArguments.WindowOptions();
        var output = OutputOption.Create("default table; json prints the counts and every alert");
        var command = new Command("backtest", "Replay stored events in event time through rules and report what they would have raised (alerts per rule, and the alerts).")
        {
            rules, store, output, window.Since, window.Until, window.Cluster,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var format = parseResult.GetValue(output) ?? OutputFormat.Table;
            if (window.TryRead(context, parseResult) is not { } range)
            {
                return Task.FromResult(ExitCodes.UsageOrUnusableInput);
            }

            if (ScanCommand.LoadRules(context, parseResult.GetValue(rules) ?? []) is not { } ruleSet)
            {
                return Task.FromResult(ExitCodes.UsageOrUnusableInput);
            }

            using var opened = StoreArguments.TryOpen(context, parseResult.GetValue(store)!, readOnly: true);
            if (opened is null)
            {
                return Task.FromResult(ExitCodes.UsageOrUnusableInput);
            }

            var report = Backtester.Run(opened, ruleSet, new DetectionOptions { Cluster = range.Cluster }, range,
                diagnostic => context.Error.WriteLine(diagnostic.ToString()), cancellationToken);
            Print(context, format, report);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static void Print(CliContext context, OutputFormat format, BacktestReport report)
    {
        if (format != OutputFormat.Table)
        {
            StructuredOutput.Write(context, format, writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("eventsReplayed", report.EventsReplayed);
                writer.WriteNumber("badRecords", report.BadRecords);
                writer.WriteStartArray("byRule");
                foreach (var rule in report.ByRule)
                {
                    writer.WriteStartObject();
                    writer.WriteString("rule", rule.Rule);
                    writer.WriteString("severity", rule.Severity.ToWireName());
                    writer.WriteNumber("alerts", rule.Alerts);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("alerts");
                foreach (var alert in report.Alerts)
                {
                    AlertJson.Write(writer, alert);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return;
        }

        context.Out.WriteLine($"replayed {report.EventsReplayed:N0} stored events in event time: {report.Alerts.Count:N0} alerts");
        if (report.Alerts.Count == 0)
        {
            return;
        }

        var byRule = new Table().Title("Alerts by rule").AddColumns("rule", "severity", "alerts");
        foreach (var rule in report.ByRule)
        {
            byRule.AddRow(Markup.Escape(rule.Rule), rule.Severity.ToWireName(), rule.Alerts.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }

        context.CreateConsole().Write(byRule);
        var table = new StreamingTable(context.Out, ("TIME", 27), ("SEVERITY", 8), ("RULE", 32), ("IDENTITY", 40), ("SOURCE IP", 15), ("MESSAGE", 0));
        foreach (var alert in report.Alerts)
        {
            table.WriteRow(QueryCommand.Time(alert.Time), alert.Severity.ToWireName(), alert.Rule, alert.Identity, alert.SourceIp, alert.Message.ReplaceLineEndings(" "));
        }
    }
}
