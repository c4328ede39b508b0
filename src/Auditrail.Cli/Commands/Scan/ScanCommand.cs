using System.CommandLine;
using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Scan;

/// <summary><c>auditrail scan</c>: replays audit logs through detection rules in event time and prints the alerts.</summary>
internal static class ScanCommand
{
    /// <summary>Exit code when an alert at or above <c>--fail-on</c> fired, distinct from bad input (1) and usage errors (2).</summary>
    public const int AlertsAtOrAboveThreshold = 3;

    public const string Examples = """
          # Scan a log with the bundled default pack
          auditrail scan /var/log/kubernetes/audit/

          # The bundled pack plus your own rules, which may append to or override it
          auditrail scan audit.log --rules default --rules my-rules/

          # Only your own rules
          auditrail scan audit.log --rules my-rules/

          # One alert per line as JSON, for a SIEM or jq
          auditrail scan audit.log --rules rules/ -o json

          # In CI: fail (exit 3) when anything high or critical fires
          auditrail scan audit.log --rules rules/ --fail-on high

          # Keep learned baselines (new terms, usual rates) between runs
          auditrail scan today.log --baseline baseline.json
        """;

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("paths") { Description = "Audit logs: files, directories or - for stdin, in any format `auditrail read` takes.", Arity = ArgumentArity.OneOrMore };
        var rules = new Option<string[]>("--rules")
        {
            Description = "Rule files or directories (repeatable) instead of the bundled pack; 'default' names the bundled pack, so '--rules default --rules mine/' extends it. Later files may append to or override earlier ones.",
        };
        var cluster = new Option<string?>("--cluster") { Description = "Cluster name to stamp on alerts whose events do not carry one." };
        var since = new Option<string?>("--since") { Description = "Only events at or after this time (RFC 3339)." };
        var until = new Option<string?>("--until") { Description = "Only events before this time (RFC 3339)." };
        var failOn = new Option<string?>("--fail-on") { Description = "Exit with 3 when an alert of this severity or higher fires (info, low, medium, high, critical)." };
        var baseline = new Option<string?>("--baseline") { Description = "Baseline file for new-terms and rate rules: read at start (if it exists) and written back at the end." };
        var maxKeys = new Option<int>("--max-keys")
        {
            Description = "Keys each stateful rule may hold; the least recent are evicted beyond it (and counted).",
            DefaultValueFactory = _ => Detection.Stateful.DetectionOptions.DefaultMaxKeys,
        };
        var lateTolerance = new Option<string>("--late-tolerance")
        {
            Description = "How late (behind the newest event) an event may arrive and still count in stateful rules, e.g. 30s, 5m.",
            DefaultValueFactory = _ => "5m",
        };
        var output = OutputOption.Create("default table; json prints one alert per line");
        var command = new Command("scan", "Detect: run rules over audit logs in event time and print the alerts with a summary.")
        {
            paths, rules, cluster, since, until, failOn, baseline, maxKeys, lateTolerance, output,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(context, new ScanOptions(
            parseResult.GetValue(paths) ?? [],
            parseResult.GetValue(rules) ?? [],
            parseResult.GetValue(cluster),
            parseResult.GetValue(since),
            parseResult.GetValue(until),
            parseResult.GetValue(failOn),
            parseResult.GetValue(output) ?? OutputFormat.Table)
        {
            Baseline = parseResult.GetValue(baseline),
            MaxKeys = parseResult.GetValue(maxKeys),
            LateTolerance = parseResult.GetValue(lateTolerance) ?? "5m",
        }, cancellationToken)));
        return command;
    }

    /// <summary>The default pack shipped beside the binary (copied from the repository's rules/default).</summary>
    public static string DefaultPackDirectory => Path.Combine(AppContext.BaseDirectory, "rules", "default");

    internal sealed record ScanOptions(string[] Paths, string[] Rules, string? Cluster, string? Since, string? Until, string? FailOn, OutputFormat Output)
    {
        public string? Baseline { get; init; }
        public int MaxKeys { get; init; } = Detection.Stateful.DetectionOptions.DefaultMaxKeys;
        public string LateTolerance { get; init; } = "5m";
    }

    private static int Run(CliContext context, ScanOptions options, CancellationToken cancellationToken)
    {
        if (!TimeOptions.TryParse(context, "--since", options.Since, out var since) || !TimeOptions.TryParse(context, "--until", options.Until, out var until))
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        if (options.MaxKeys < 1)
        {
            context.Error.WriteLine($"error: --max-keys must be at least 1, found {options.MaxKeys}");
            return ExitCodes.UsageOrUnusableInput;
        }

        if (!RulePackLoader.TryParseDuration(options.LateTolerance, out var lateTolerance))
        {
            context.Error.WriteLine($"error: --late-tolerance '{options.LateTolerance}' is not a duration such as 30s, 5m or 1h");
            return ExitCodes.UsageOrUnusableInput;
        }

        Severity? failOn = null;
        if (options.FailOn is { } text)
        {
            if (!SeverityNames.TryParse(text, out var parsed))
            {
                context.Error.WriteLine($"error: unknown severity '{text}' for --fail-on (info, low, medium, high, critical)");
                return ExitCodes.UsageOrUnusableInput;
            }

            failOn = parsed;
        }

        if (LoadRules(context, options.Rules) is not { } ruleSet)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        var engine = new DetectionEngine(ruleSet, new Detection.Stateful.DetectionOptions { Cluster = options.Cluster, MaxKeys = options.MaxKeys, LateTolerance = lateTolerance });
        if (options.Baseline is { } baselinePath && !Baseline.BaselineCommand.TryLoad(context, engine, baselinePath))
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        var handler = new ScanHandler(context, engine, options.Output, since, until);
        var counters = new EventTimeMerger().ReadMerged(options.Paths, handler, cancellationToken, context.OpenStdin);
        handler.WriteSummary();
        if (options.Baseline is { } savePath && engine.Learns && engine.EventsSeen > 0)
        {
            engine.SaveBaseline(savePath);
        }

        if (counters.Events == 0 && counters.Errors > 0)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        if (failOn is { } threshold && handler.Alerts.Any(a => a.Severity >= threshold))
        {
            return AlertsAtOrAboveThreshold;
        }

        return counters.Errors > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    /// <summary>Loads and compiles the rule files; every problem is printed, and any error stops the scan.</summary>
    internal static RuleSet? LoadRules(CliContext context, string[] paths)
    {
        if (paths.Length == 0)
        {
            var bundled = DefaultPackDirectory;
            if (!Directory.Exists(bundled))
            {
                context.Error.WriteLine($"error: no rules: pass --rules FILE|DIR (the bundled default pack is missing from {bundled})");
                return null;
            }

            paths = [bundled];
        }

        var loader = new RulePackLoader();
        foreach (var path in paths)
        {
            loader.LoadPath(path == "default" && !Path.Exists(path) ? DefaultPackDirectory : path);
        }

        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        var ruleSet = RuleSet.Compile(loader.Build(), diagnostics);
        foreach (var diagnostic in diagnostics)
        {
            context.Error.WriteLine(diagnostic.ToString());
        }

        if (diagnostics.Any(d => !d.IsWarning))
        {
            context.Error.WriteLine($"error: the rules have {diagnostics.Count(d => !d.IsWarning)} errors; nothing scanned");
            return null;
        }

        return ruleSet;
    }

    /// <summary>Feeds events to the engine within the time window and prints alerts as they fire.</summary>
    private sealed class ScanHandler(CliContext context, DetectionEngine engine, OutputFormat format, DateTimeOffset? since, DateTimeOffset? until) : IAuditEventHandler
    {
        private readonly StreamingTable _table = new(context.Out, ("TIME", 27), ("SEVERITY", 8), ("RULE", 32), ("IDENTITY", 40), ("SOURCE IP", 15), ("MESSAGE", 0));
        private readonly JsonToYaml _yaml = new(context.Out);

        public List<Alert> Alerts { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            if (!TimeOptions.InRange(auditEvent, since, until))
            {
                return;
            }

            engine.Process(auditEvent, Print);
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic) => context.Error.WriteLine(diagnostic.ToString());

        private void Print(Alert alert)
        {
            Alerts.Add(alert);
            if (format == OutputFormat.Table)
            {
                _table.WriteRow(alert.Time is { } t ? Core.Writing.AuditEventJsonWriter.FormatTime(t) : null,
                    alert.Severity.ToWireName(), alert.Rule, alert.Impersonator is null ? alert.Identity : $"{alert.Impersonator} as {alert.Identity}",
                    alert.SourceIp, alert.Message.ReplaceLineEndings(" "));
                return;
            }

            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                AlertJson.Write(writer, alert);
            }

            var json = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
            if (format == OutputFormat.Json)
            {
                context.Out.WriteLine(json);
            }
            else
            {
                using var document = JsonDocument.Parse(json);
                _yaml.WriteDocument(document.RootElement);
            }
        }

        /// <summary>Alerts by rule and severity and the top identities: on stdout for tables, on stderr beside JSON lines.</summary>
        public void WriteSummary()
        {
            _yaml.Finish();
            var target = format == OutputFormat.Table ? context.Out : context.Error;
            var console = new CliContext(target, context.Error, context.OpenStdin, false) { OutputWidth = context.OutputWidth }.CreateConsole();
            target.WriteLine();
            target.WriteLine($"scanned {engine.EventsSeen:N0} events ({engine.Evaluations:N0} rule evaluations), {Alerts.Count:N0} alerts");
            if (engine.LateEvents + engine.UntimedEvents + engine.EvictedKeys > 0)
            {
                target.WriteLine($"stateful rules: {engine.StateKeys:N0} keys held, {engine.EvictedKeys:N0} evicted (--max-keys), "
                    + $"{engine.LateEvents:N0} events too late (--late-tolerance), {engine.UntimedEvents:N0} without a time");
            }
            if (Alerts.Count == 0)
            {
                return;
            }

            var byRule = new Table().Title("Alerts by rule").AddColumns("rule", "severity", "alerts");
            foreach (var group in Alerts.GroupBy(a => (a.Rule, a.Severity)).OrderByDescending(g => g.Key.Severity).ThenByDescending(g => g.Count()))
            {
                byRule.AddRow(Markup.Escape(group.Key.Rule), group.Key.Severity.ToWireName(), group.Count().ToString("N0"));
            }

            console.Write(byRule);
            var identities = new Table().Title("Top identities").AddColumns("identity", "alerts");
            foreach (var group in Alerts.GroupBy(a => a.Identity ?? "(unauthenticated)").OrderByDescending(g => g.Count()).Take(10))
            {
                identities.AddRow(Markup.Escape(group.Key), group.Count().ToString("N0"));
            }

            console.Write(identities);
        }
    }
}
