using System.Globalization;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Model;
using Auditrail.AuditPolicy.Simulation;
using Auditrail.Cli.Output;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Policy;

/// <summary>A simulation report as tables: volume, levels, rules, noisiest sources, blind spots, notes.</summary>
internal static class SimulationTables
{
    public static void Write(IAnsiConsole console, TextWriter text, CompiledPolicy policy, SimulationReport report, ReadCounters counters, int top)
    {
        text.WriteLine($"Policy {policy.Policy.File} ({policy.Policy.Rules.Count} rules) over {counters.Events:N0} events from {counters.Sources:N0} sources");
        text.WriteLine($"  before: {report.Before.Events,12:N0} events {ByteSize.Format(report.Before.Bytes),12}");
        text.WriteLine($"  after:  {report.After.Events,12:N0} events {ByteSize.Format(report.After.Bytes),12}   ({Change(report.Before.Events, report.After.Events)} events, {Change(report.Before.Bytes, report.After.Bytes)} bytes)");
        text.WriteLine();

        var levels = new Table().Title("By level").AddColumns("level", "events before", "bytes before", "events after", "bytes after");
        foreach (var level in Enum.GetValues<AuditLevel>())
        {
            var before = report.BeforeByLevel[level];
            var after = report.AfterByLevel[level];
            levels.AddRow(level.ToWireName(), Number(before.Events), ByteSize.Format(before.Bytes), Number(after.Events),
                level == AuditLevel.None ? "(dropped)" : ByteSize.Format(after.Bytes));
        }

        levels.AddRow("(stage omitted)", string.Empty, string.Empty, Number(report.StageOmitted), "(omitStages)");
        console.Write(levels);

        var rules = new Table().Title("By rule (first match wins)").AddColumns("rule", "line", "level", "selects", "events", "bytes before", "kept", "bytes after");
        foreach (var rule in report.ByRule)
        {
            var definition = rule.RuleIndex >= 0 ? policy.Policy.Rules[rule.RuleIndex] : null;
            rules.AddRow(
                Markup.Escape(definition?.Name ?? "(no match)"),
                definition is null ? string.Empty : definition.Location.Line.ToString(CultureInfo.InvariantCulture),
                definition?.Level ?? "None",
                Markup.Escape(Shorten(definition is null ? "requests no rule matches" : RuleSummary.Describe(definition), 60)),
                Number(rule.Before.Events), ByteSize.Format(rule.Before.Bytes), Number(rule.After.Events), ByteSize.Format(rule.After.Bytes));
        }

        console.Write(rules);

        if (top > 0 && report.NoisiestSources.Count > 0)
        {
            var sources = new Table().Title("Noisiest sources after the policy").AddColumns("user", "verb", "target", "rule", "events", "bytes before", "kept", "bytes after");
            foreach (var source in report.NoisiestSources.Take(top))
            {
                sources.AddRow(Markup.Escape(Shorten(source.Key.User, 50)), Markup.Escape(source.Key.Verb), Markup.Escape(Shorten(source.Key.Target, 50)),
                    Markup.Escape(source.RuleIndex >= 0 ? $"rules[{source.RuleIndex}]" : "(none)"),
                    Number(source.Before.Events), ByteSize.Format(source.Before.Bytes), Number(source.After.Events), ByteSize.Format(source.After.Bytes));
            }

            console.Write(sources);
        }

        WriteBlindSpots(console, text, report);
        WriteNotes(text, report);
    }

    internal static void WriteBlindSpots(IAnsiConsole console, TextWriter text, SimulationReport report)
    {
        if (report.Coverage.Count == 0)
        {
            return;
        }

        var blind = report.BlindSpots.OrderByDescending(c => c.Lost).ToList();
        var needing = report.Coverage.Count(c => c.Needed > 0);
        if (blind.Count == 0)
        {
            text.WriteLine($"No blind spots: every event the {needing} rules that need events of this log need is kept at the level they need.");
            return;
        }

        var table = new Table().Title($"Blind spots: {blind.Count} of {needing} rules lose events they need")
            .AddColumns("rule", "needs", "needed", "kept", "dropped", "stage omitted", "too low", "example of a loss");
        foreach (var coverage in blind)
        {
            var unit = coverage.Need.Kind == Auditrail.AuditPolicy.Needs.NeedKind.Terms ? " terms" : string.Empty;
            table.AddRow(Markup.Escape(coverage.Need.Name), coverage.Need.Level.ToWireName(), Number(coverage.Needed) + unit, Number(coverage.Kept),
                Number(coverage.Dropped), Number(coverage.StageOmitted), Number(coverage.TooLow), Markup.Escape(Shorten(coverage.Example ?? string.Empty, 90)));
        }

        console.Write(table);
    }

    internal static void WriteNotes(TextWriter text, SimulationReport report)
    {
        if (report.Raised > 0)
        {
            text.WriteLine($"note: {report.Raised:N0} events would be logged at a higher level than the log recorded them at; their bytes after are the recorded bytes, a lower bound.");
        }

        if (report.MissingRequestReceived.Events > 0)
        {
            text.WriteLine($"note: the policy would also write RequestReceived for about {report.MissingRequestReceived.Events:N0} requests the log has none for "
                + $"(~{ByteSize.Format(report.MissingRequestReceived.Bytes)}), not in the totals; omit the stage to avoid it.");
        }
    }

    internal static string Change(long before, long after) =>
        before == 0 ? "n/a" : ((after - before) / (double)before).ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Shorten(string value, int width) => value.Length <= width ? value : string.Concat(value.AsSpan(0, width - 1), "…");
}
