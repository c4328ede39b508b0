using System.CommandLine;
using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Stateful;
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

          # Falco k8saudit rule files, translated on load (with an overlay, as Falco loads them)
          auditrail scan audit.log --rules k8s_audit_rules.yaml --rules k8s_audit_rules_gke.yaml

          # One alert per line as JSON, for a SIEM or jq
          auditrail scan audit.log --rules rules/ -o json

          # In CI: fail (exit 3) when anything high or critical fires
          auditrail scan audit.log --rules rules/ --fail-on high

          # Keep learned baselines (new terms, usual rates) between runs
          auditrail scan today.log --baseline baseline.json

          # Two apiservers' logs, merged in event time
          auditrail scan apiserver-a/ apiserver-b/

          # Also keep the events and the alerts in the event store, for `auditrail query`
          auditrail scan audit.log --store audit.duckdb

          # On one core only (the default uses every core; results are the same)
          auditrail scan audit.log --threads 1
        """;

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Audit logs: files, directories or - for stdin, in any format `auditrail read` takes. Several are merged in event time (one per apiserver, say).",
            Arity = ArgumentArity.OneOrMore,
        };
        var rules = new Option<string[]>("--rules")
        {
            Description = "Rule files or directories (repeatable) instead of the bundled pack; 'default' names the bundled pack, so '--rules default --rules mine/' extends it. Later files may append to or override earlier ones. Falco rule files are translated on load.",
        };
        var cluster = new Option<string?>("--cluster") { Description = "Cluster name to stamp on alerts whose events do not carry one." };
        var since = new Option<string?>("--since") { Description = "Only events at or after this time (RFC 3339)." };
        var until = new Option<string?>("--until") { Description = "Only events before this time (RFC 3339)." };
        var failOn = new Option<string?>("--fail-on") { Description = "Exit with 3 when an alert of this severity or higher fires (info, low, medium, high, critical)." };
        var output = OutputOption.Create("default table; json prints one alert per line");
        var threads = new Option<int>("--threads")
        {
            Description = "Threads that parse and match (default: one per core); 1 reads, matches and alerts on one thread. Alerts and their order are the same either way.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var baseline = new Option<string?>("--baseline") { Description = "Baseline file for new-terms and rate rules: read at start (if it exists) and written back at the end." };
        var maxKeys = new Option<int>("--max-keys")
        {
            Description = "Keys each stateful rule may hold; the least recent are evicted beyond it (and counted).",
            DefaultValueFactory = _ => DetectionOptions.DefaultMaxKeys,
        };
        var lateTolerance = new Option<string>("--late-tolerance")
        {
            Description = "How late (behind the newest event) an event may arrive and still count in stateful rules, e.g. 30s, 5m.",
            DefaultValueFactory = _ => "5m",
        };
        var store = new Option<string?>("--store")
        {
            Description = "Also store the scanned events (redacted, one row per request) and the alerts in this event store (a DuckDB file, created if missing).",
            HelpName = "PATH",
        };
        var progress = ProgressOptions.CreateForce();
        var noProgress = ProgressOptions.CreateDisable();
        var command = new Command("scan", "Detect: run rules over audit logs in event time and print the alerts with a summary.")
        {
            paths, rules, cluster, since, until, failOn, baseline, maxKeys, lateTolerance, output, threads, store, progress, noProgress,
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
            Threads = parseResult.GetValue(threads),
            Baseline = parseResult.GetValue(baseline),
            MaxKeys = parseResult.GetValue(maxKeys),
            LateTolerance = parseResult.GetValue(lateTolerance) ?? "5m",
            ForceProgress = parseResult.GetValue(progress),
            NoProgress = parseResult.GetValue(noProgress),
            Store = parseResult.GetValue(store),
        }, cancellationToken)));
        return command;
    }

    /// <summary>The default pack shipped beside the binary (copied from the repository's rules/default).</summary>
    public static string DefaultPackDirectory => Path.Combine(AppContext.BaseDirectory, "rules", "default");

    internal sealed record ScanOptions(string[] Paths, string[] Rules, string? Cluster, string? Since, string? Until, string? FailOn, OutputFormat Output)
    {
        public int Threads { get; init; } = 1;
        public bool ForceProgress { get; init; }
        public bool NoProgress { get; init; }
        public string? Baseline { get; init; }
        public int MaxKeys { get; init; } = DetectionOptions.DefaultMaxKeys;
        public string LateTolerance { get; init; } = "5m";
        public string? Store { get; init; }
    }

    private static int Run(CliContext context, ScanOptions options, CancellationToken cancellationToken)
    {
        if (options.Threads < 1)
        {
            context.Error.WriteLine($"error: --threads must be at least 1 (got {options.Threads})");
            return ExitCodes.UsageOrUnusableInput;
        }

        if (options.ForceProgress && options.NoProgress)
        {
            context.Error.WriteLine("error: --progress and --no-progress cannot be used together");
            return ExitCodes.UsageOrUnusableInput;
        }

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

        var totalBytes = ProgressOptions.TotalBytes(options.Paths);
        var progress = ProgressOptions.ShouldShow(options.ForceProgress, options.NoProgress, context.InteractiveError, totalBytes)
            ? new ProgressLine(context.Error, "scanning", totalBytes, TimeProvider.System)
            : null;
        var engine = new DetectionEngine(ruleSet, new DetectionOptions { Cluster = options.Cluster, MaxKeys = options.MaxKeys, LateTolerance = lateTolerance });
        if (options.Baseline is { } baselinePath && !Baseline.BaselineCommand.TryLoad(context, engine, baselinePath))
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        using var store = options.Store is { } storePath ? Query.StoreArguments.TryOpen(context, storePath, readOnly: false) : null;
        if (options.Store is not null && store is null)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        using var writer = store?.OpenWriter();
        var handler = new ScanHandler(context, engine, options.Output, new TimeWindow(since, until), progress) { Writer = writer };
        ReadCounters counters;
        long evaluations;
        try
        {
            if (options.Threads == 1 || options.Paths.Length > 1)
            {
                // Several inputs are read on a thread each and merged in event time; matching stays on this thread.
                counters = new EventTimeMerger().ReadMerged(options.Paths, handler, cancellationToken, context.OpenStdin);
                evaluations = engine.Evaluations;
            }
            else
            {
                // Parsing and matching on the workers; Apply (dedup, thresholds) and printing in input order here.
                counters = new ParallelAuditLogReader(workers: options.Threads)
                    .ReadPaths(options.Paths, () => new ScanAnalyzer(ruleSet, handler.Window), handler, cancellationToken, context.OpenStdin);
                evaluations = handler.DeliveredEvaluations;
            }
        }
        finally
        {
            progress?.Clear();
        }

        handler.WriteSummary(evaluations);
        if (writer is not null)
        {
            writer.Flush();
            var stored = writer.Counters;
            context.Error.WriteLine($"stored {stored.Inserted:N0} events ({stored.Duplicates:N0} duplicate stages or requests skipped) and {stored.Alerts:N0} alerts in {options.Store}");
        }

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

    /// <summary><c>--since</c> and <c>--until</c>: only events in [since, until) are scanned.</summary>
    internal readonly record struct TimeWindow(DateTimeOffset? Since, DateTimeOffset? Until)
    {
        public bool Contains(AuditEvent auditEvent) => TimeOptions.InRange(auditEvent, Since, Until);
    }

    /// <summary>
    /// What a worker found for one event: the rules that matched (null when the event is outside the
    /// window) and the conditions it evaluated, counted when the event is delivered: a worker may also
    /// have matched events that a rewind of the parallel read dropped.
    /// </summary>
    private readonly record struct ScanMatch(RuleMatch[]? Matches, long Evaluations);

    /// <summary>The stateless half on a worker thread: the time window and the rules' conditions.</summary>
    private sealed class ScanAnalyzer(RuleSet rules, TimeWindow window) : IEventAnalyzer<ScanMatch>
    {
        private readonly RuleMatcher _matcher = new(rules);
        private readonly List<RuleMatch> _matches = [];

        /// <summary>Most events match nothing and allocate nothing.</summary>
        public ScanMatch Analyze(AuditEvent auditEvent, in RecordLocation location)
        {
            if (!window.Contains(auditEvent))
            {
                return default;
            }

            var before = _matcher.Evaluations;
            _matches.Clear();
            _matcher.Match(auditEvent, _matches);
            return new ScanMatch(_matches.Count == 0 ? [] : [.. _matches], _matcher.Evaluations - before);
        }
    }

    /// <summary>Feeds events to the engine within the time window and prints alerts as they fire.</summary>
    private sealed class ScanHandler : IAuditEventHandler, IOrderedEventHandler<ScanMatch>
    {
        private readonly CliContext _context;
        private readonly DetectionEngine _engine;
        private readonly OutputFormat _format;
        private readonly ProgressLine? _progress;
        private readonly StreamingTable _table;
        private readonly JsonToYaml _yaml;
        private readonly Action<Alert> _emit;

        public ScanHandler(CliContext context, DetectionEngine engine, OutputFormat format, TimeWindow window, ProgressLine? progress)
        {
            _context = context;
            _engine = engine;
            _format = format;
            _progress = progress;
            Window = window;
            _table = new StreamingTable(context.Out, ("TIME", 27), ("SEVERITY", 8), ("RULE", 32), ("IDENTITY", 40), ("SOURCE IP", 15), ("MESSAGE", 0));
            _yaml = new JsonToYaml(context.Out);
            _emit = Print; // one delegate for the whole scan, not one per event
        }

        public TimeWindow Window { get; }

        /// <summary>With --store: where events in the window and alerts also go; null keeps the scan's hot path as it was.</summary>
        public Storage.Writing.EventWriter? Writer { get; init; }

        public List<Alert> Alerts { get; } = [];

        /// <summary>Conditions evaluated for the events the parallel scan delivered.</summary>
        public long DeliveredEvaluations { get; private set; }

        /// <summary>The sequential scan: match and apply here.</summary>
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            CountForProgress();
            if (Window.Contains(auditEvent))
            {
                _engine.Process(auditEvent, _emit);
                Writer?.Append(auditEvent);
            }
        }

        /// <summary>The parallel scan: matched on a worker already (null: outside the window); applied here, in order.</summary>
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location, ScanMatch analysis)
        {
            CountForProgress();
            DeliveredEvaluations += analysis.Evaluations;
            if (analysis.Matches is { } matches)
            {
                _engine.Apply(auditEvent, matches, _emit);
                Writer?.Append(auditEvent);
            }
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
            _progress?.Clear();
            _context.Error.WriteLine(diagnostic.ToString());
        }

        public void OnSourceStart(string source) => _progress?.SourceStarted();

        public void OnProgress(string source, long bytesRead, long totalBytes) => _progress?.Report(bytesRead);

        private void CountForProgress()
        {
            if (_progress is not null)
            {
                _progress.Events++;
            }
        }

        private void Print(Alert alert)
        {
            _progress?.Clear();
            Alerts.Add(alert);
            Writer?.AppendAlert(alert);
            if (_format == OutputFormat.Table)
            {
                _table.WriteRow(alert.Time is { } t ? Core.Writing.AuditEventJsonWriter.FormatTime(t) : null,
                    alert.Severity.ToWireName(), alert.Rule, alert.Impersonator is null ? alert.Identity : $"{alert.Impersonator} as {alert.Identity}",
                    alert.SourceIp, alert.Message.ReplaceLineEndings(" "));
                return;
            }

            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, JsonOutput.Compact))
            {
                AlertJson.Write(writer, alert);
            }

            var json = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
            if (_format == OutputFormat.Json)
            {
                _context.Out.WriteLine(json);
            }
            else
            {
                using var document = JsonDocument.Parse(json);
                _yaml.WriteDocument(document.RootElement);
            }
        }

        /// <summary>Alerts by rule and severity and the top identities: on stdout for tables, on stderr beside JSON lines.</summary>
        public void WriteSummary(long evaluations)
        {
            _yaml.Finish();
            var target = _format == OutputFormat.Table ? _context.Out : _context.Error;
            var console = new CliContext(target, _context.Error, _context.OpenStdin, false) { OutputWidth = _context.OutputWidth }.CreateConsole();
            target.WriteLine();
            target.WriteLine($"scanned {_engine.EventsSeen:N0} events ({evaluations:N0} rule evaluations), {Alerts.Count:N0} alerts");
            if (_engine.LateEvents + _engine.UntimedEvents + _engine.EvictedKeys > 0)
            {
                target.WriteLine($"stateful rules: {_engine.StateKeys:N0} keys held, {_engine.EvictedKeys:N0} evicted (--max-keys), "
                    + $"{_engine.LateEvents:N0} events too late (--late-tolerance), {_engine.UntimedEvents:N0} without a time");
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
