using System.CommandLine;
using Auditrail.Cli.Commands.Scan;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Stateful;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Baseline;

/// <summary><c>auditrail baseline learn|show</c>: train what "normal" is from old logs, and inspect what was learned.</summary>
internal static class BaselineCommand
{
    public const string LearnExamples = """
          # Learn a week of normal traffic for the default pack's new-terms and rate rules
          auditrail baseline learn /var/log/kubernetes/audit/ --baseline baseline.json

          # Then scan new logs against it; the scan keeps it up to date
          auditrail scan today.log --baseline baseline.json

          # Learn only from a time range, with your own rules
          auditrail baseline learn old/ --rules my-rules/ --baseline b.json --since 2024-05-01T00:00:00Z
        """;

    public const string ShowExamples = """
          # What a baseline holds, per rule
          auditrail baseline show baseline.json

          # As JSON for scripts
          auditrail baseline show baseline.json -o json
        """;

    public static Command Create(CliContext context, Dictionary<Command, string> examples)
    {
        var learn = CreateLearn(context);
        var show = CreateShow(context);
        examples[learn] = LearnExamples;
        examples[show] = ShowExamples;
        return new Command("baseline", "Learn what normal looks like (for new-terms and rate rules) and inspect it.") { learn, show };
    }

    private static Command CreateLearn(CliContext context)
    {
        var paths = new Argument<string[]>("paths") { Description = "Audit logs known to be normal: files, directories or -.", Arity = ArgumentArity.OneOrMore };
        var baseline = new Option<string>("--baseline") { Description = "Baseline file to create or extend.", Required = true };
        var rules = new Option<string[]>("--rules") { Description = "Rule files or directories (repeatable); the bundled default pack when absent." };
        var since = new Option<string?>("--since") { Description = "Only events at or after this time (RFC 3339)." };
        var until = new Option<string?>("--until") { Description = "Only events before this time (RFC 3339)." };
        var command = new Command("learn", "Train baselines from old logs: every key seen is trained, so new values alert from the first scan.")
        {
            paths, baseline, rules, since, until,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Learn(context,
            parseResult.GetValue(paths) ?? [], parseResult.GetValue(baseline)!, parseResult.GetValue(rules) ?? [],
            parseResult.GetValue(since), parseResult.GetValue(until), cancellationToken)));
        return command;
    }

    private static int Learn(CliContext context, string[] paths, string baselinePath, string[] rulePaths, string? sinceText, string? untilText, CancellationToken cancellationToken)
    {
        if (!TimeOptions.TryParse(context, "--since", sinceText, out var since) || !TimeOptions.TryParse(context, "--until", untilText, out var until)
            || ScanCommand.LoadRules(context, rulePaths) is not { } ruleSet)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        var engine = new DetectionEngine(ruleSet, DetectionOptions.Default with { LearnOnly = true });
        if (!engine.Learns)
        {
            context.Error.WriteLine("error: no rule in the pack learns a baseline (newTerms or rate); nothing to learn");
            return ExitCodes.UsageOrUnusableInput;
        }

        if (!TryLoad(context, engine, baselinePath))
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        var handler = new LearningHandler(context, engine, since, until);
        var counters = new EventTimeMerger().ReadMerged(paths, handler, cancellationToken, context.OpenStdin);
        if (counters.Events == 0)
        {
            context.Error.WriteLine("error: no events read; the baseline is left as it was");
            return ExitCodes.UsageOrUnusableInput;
        }

        engine.SaveBaseline(baselinePath, completeLearning: true);
        context.Out.WriteLine($"learned from {engine.EventsSeen:N0} events; baseline written to {baselinePath}");
        foreach (var (rule, kind, keys, evicted, _) in engine.StateSummary().Where(s => s.Learns))
        {
            context.Out.WriteLine($"  {rule} ({kind}): {keys:N0} keys{(evicted > 0 ? $", {evicted:N0} evicted" : string.Empty)}");
        }

        return counters.Errors > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    /// <summary>Loads an existing baseline into the engine, printing its notes; false when the file is unusable.</summary>
    internal static bool TryLoad(CliContext context, DetectionEngine engine, string path)
    {
        try
        {
            var report = engine.LoadBaseline(path);
            foreach (var note in report.Notes)
            {
                context.Error.WriteLine($"note: {note}");
            }

            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"error: baseline {ex.Message}");
            return false;
        }
    }

    private static Command CreateShow(CliContext context)
    {
        var path = new Argument<string>("baseline") { Description = "Baseline file written by baseline learn or scan --baseline." };
        var output = OutputOption.Create("default table");
        var command = new Command("show", "Summarize a baseline: per rule, its keys, trained keys and learned values.") { path, output };
        command.SetAction(parseResult => Show(context, parseResult.GetValue(path)!, parseResult.GetValue(output) ?? OutputFormat.Table));
        return command;
    }

    private static int Show(CliContext context, string path, OutputFormat format)
    {
        DateTimeOffset? savedAt;
        List<BaselineSection> sections;
        try
        {
            (savedAt, sections) = BaselineFile.Summarize(path);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"error: {(ex is FileNotFoundException ? $"{path}: no such file" : ex.Message)}");
            return ExitCodes.UsageOrUnusableInput;
        }

        if (format == OutputFormat.Table)
        {
            var table = new Table().Title(Markup.Escape($"{path}, saved at {savedAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "?"}"))
                .AddColumns("rule", "learns", "keys", "trained", "values");
            foreach (var s in sections)
            {
                table.AddRow(Markup.Escape(s.Rule), Markup.Escape(s.Fingerprint), s.Keys.ToString("N0"), s.TrainedKeys.ToString("N0"), s.Values.ToString("N0"));
            }

            context.CreateConsole().Write(table);
            return ExitCodes.Success;
        }

        StructuredOutput.Write(context, format, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("path", path);
            if (savedAt is { } at)
            {
                writer.WriteString("savedAt", at);
            }

            writer.WriteStartArray("rules");
            foreach (var s in sections)
            {
                writer.WriteStartObject();
                writer.WriteString("rule", s.Rule);
                writer.WriteString("fingerprint", s.Fingerprint);
                writer.WriteNumber("keys", s.Keys);
                writer.WriteNumber("trainedKeys", s.TrainedKeys);
                writer.WriteNumber("values", s.Values);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
        return ExitCodes.Success;
    }

    private sealed class LearningHandler(CliContext context, DetectionEngine engine, DateTimeOffset? since, DateTimeOffset? until) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            if (TimeOptions.InRange(auditEvent, since, until))
            {
                engine.Process(auditEvent, static _ => { });
            }
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic) => context.Error.WriteLine(diagnostic.ToString());
    }
}
