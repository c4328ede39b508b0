using System.Text.RegularExpressions;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Falco;
using Auditrail.Detection.Rules;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Detection.Testing;

/// <summary>
/// One case of Falco's k8s audit test suite (<c>falco_k8s_audit_tests.yaml</c>): rule files, a trace,
/// and what Falco must report: any detection at all (<see cref="Detect"/>), detections at some
/// priorities, and exact counts for some rules.
/// </summary>
public sealed record FalcoSuiteCase(
    string Name,
    bool Detect,
    IReadOnlyList<string> DetectLevels,
    IReadOnlyList<(string Rule, int Count)> DetectCounts,
    IReadOnlyList<string> RuleFiles,
    string? TraceFile,
    string? StderrContains,
    SourceLocation Location);

public enum FalcoCaseOutcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>What a case did: the outcome, why, the detections per rule, and notes (files skipped, items not translated).</summary>
public sealed record FalcoCaseResult(FalcoSuiteCase Case, FalcoCaseOutcome Outcome, string Detail, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<string> Notes)
{
    public IReadOnlyList<RuleDiagnostic> Diagnostics { get; init; } = [];
}

/// <summary>Where the files a suite names live, when not where the suite says (it was written for Falco's build tree).</summary>
public sealed record FalcoSuiteOptions
{
    /// <summary>Where <c>BUILD_DIR/…/k8s_audit_rules.yaml</c> and the like are found by file name; default <c>../rules</c> beside the suite.</summary>
    public string? RulesDirectory { get; init; }

    /// <summary>Where traces are found by file name when not at the path the suite gives.</summary>
    public string? TracesDirectory { get; init; }
}

/// <summary>
/// Runs Falco's k8s audit suite against translated rules, judging each case as Falco's test harness
/// does: a case that must not detect passes with no alert from any rule; one that must detect needs an
/// alert, an alert at each listed priority, and exactly the listed count for each listed rule. Falco's
/// syscall rules file (<c>falco_rules.yaml</c>), which every case also loads, is outside our scope
/// and skipped with a note.
/// </summary>
public static partial class FalcoSuiteRunner
{
    [GeneratedRegex(@"open_params=(\S+)")]
    private static partial Regex OpenParams();

    /// <summary>The cases of a suite file, in order; problems with the file go to <paramref name="diagnostics"/>.</summary>
    public static List<FalcoSuiteCase> Load(string suiteFile, List<RuleDiagnostic> diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(suiteFile)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or YamlException)
        {
            diagnostics.Add(new RuleDiagnostic(suiteFile, 0, 0, RuleCodes.YamlSyntax, $"cannot read the suite: {ex.Message}"));
            return [];
        }

        var cases = new List<FalcoSuiteCase>();
        var root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode;
        if (root is null || !root.Children.TryGetValue("trace_files", out var node) || node is not YamlMappingNode traces)
        {
            diagnostics.Add(new RuleDiagnostic(suiteFile, 1, 1, RuleCodes.UnknownDocument, "a Falco suite is a mapping with 'trace_files' (one entry per case)"));
            return cases;
        }

        foreach (var (key, value) in traces.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && value is YamlMappingNode entry)
            {
                cases.Add(ReadCase(name, entry, suiteFile));
            }
        }

        return cases;
    }

    private static FalcoSuiteCase ReadCase(string name, YamlMappingNode entry, string suiteFile)
    {
        var detect = !string.Equals(RulePackLoader.Scalar(entry, "detect"), "false", StringComparison.OrdinalIgnoreCase);
        var levels = Strings(entry, "detect_level");
        var counts = new List<(string, int)>();
        if (entry.Children.TryGetValue("detect_counts", out var countsNode) && countsNode is YamlSequenceNode countList)
        {
            foreach (var pair in countList.Children.OfType<YamlMappingNode>().SelectMany(m => m.Children))
            {
                if (pair.Key is YamlScalarNode { Value: { } rule } && int.TryParse((pair.Value as YamlScalarNode)?.Value, out var count))
                {
                    counts.Add((rule, count));
                }
            }
        }

        var trace = RulePackLoader.Scalar(entry, "trace_file")
            ?? (RulePackLoader.Scalar(entry, "addl_cmdline_opts") is { } options && OpenParams().Match(options) is { Success: true } match ? match.Groups[1].Value : null);
        return new FalcoSuiteCase(name, detect, levels, counts, Strings(entry, "rules_file"), trace, RulePackLoader.Scalar(entry, "stderr_contains"),
            new SourceLocation(suiteFile, (int)entry.Start.Line, (int)entry.Start.Column));
    }

    private static List<string> Strings(YamlMappingNode entry, string key) => entry.Children.TryGetValue(key, out var node)
        ? node switch
        {
            YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty).ToList(),
            YamlScalarNode { Value: { } one } => [one],
            _ => [],
        }
        : [];

    /// <summary>Runs one case: translate its rule files, scan its trace, compare.</summary>
    public static FalcoCaseResult Run(FalcoSuiteCase suiteCase, FalcoSuiteOptions options)
    {
        var suiteDirectory = Path.GetDirectoryName(Path.GetFullPath(suiteCase.Location.File))!;
        var notes = new List<string>();
        var ruleFiles = new List<string>();
        foreach (var written in suiteCase.RuleFiles)
        {
            if (Path.GetFileName(written) == "falco_rules.yaml")
            {
                notes.Add("skipped falco_rules.yaml (Falco's syscall rules)");
                continue;
            }

            if (ResolveRuleFile(written, suiteDirectory, options) is not { } path)
            {
                return Skip(suiteCase, $"rules file {written} not found", notes);
            }

            ruleFiles.Add(path);
        }

        if (ruleFiles.Count == 0)
        {
            return Skip(suiteCase, "no k8s audit rules file to load", notes);
        }

        if (suiteCase.TraceFile is null || ResolveTrace(suiteCase.TraceFile, suiteDirectory, options) is not { } trace)
        {
            return Skip(suiteCase, $"trace {suiteCase.TraceFile ?? "(none named)"} not found", notes);
        }

        var collector = new FalcoRuleCollector();
        foreach (var file in ruleFiles)
        {
            collector.LoadFile(file);
        }

        if (collector.ListsAppendedWithoutDefinition.Count > 0)
        {
            notes.Add($"lists the skipped file would define start empty: {string.Join(", ", collector.ListsAppendedWithoutDefinition)}");
        }

        var translation = FalcoTranslator.Translate(collector);
        if (translation.Untranslated > 0)
        {
            notes.Add($"{translation.Untranslated} item(s) not translated");
        }

        var diagnostics = new List<RuleDiagnostic>(translation.Diagnostics);
        var rules = RuleSet.Compile(translation.Pack, diagnostics);
        if (diagnostics.FirstOrDefault(d => !d.IsWarning) is { } error)
        {
            return new FalcoCaseResult(suiteCase, FalcoCaseOutcome.Failed, $"the translated rules do not compile: {error}", new Dictionary<string, int>(), notes) { Diagnostics = diagnostics };
        }

        var scan = Scan(rules, trace);
        var levels = scan.Counts.GroupBy(c => translation.Priorities[c.Key]).ToDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.Ordinal);
        var problems = Judge(suiteCase, scan, levels, translation, collector);
        var detail = problems.Count > 0 ? string.Join("; ", problems) : Summary(suiteCase, scan.Counts);
        return new FalcoCaseResult(suiteCase, problems.Count > 0 ? FalcoCaseOutcome.Failed : FalcoCaseOutcome.Passed, detail, scan.Counts, notes) { Diagnostics = diagnostics };
    }

    private static List<string> Judge(FalcoSuiteCase suiteCase, TraceScan scan, Dictionary<string, int> levels, FalcoTranslation translation, FalcoRuleCollector collector)
    {
        var problems = new List<string>();
        var total = scan.Counts.Values.Sum();
        if (!suiteCase.Detect)
        {
            if (total > 0)
            {
                problems.Add($"expected no detection, got {Describe(scan.Counts)}");
            }

            // Falco rejects the trace with its own words; ours are the reader's diagnostic for the same record.
            if (suiteCase.StderrContains is { } expected && !scan.ReadProblems.Any(p => p.Severity == DiagnosticSeverity.Error))
            {
                problems.Add($"expected the trace to be rejected (Falco: '{expected}'), but every record was read");
            }

            return problems;
        }

        if (total == 0)
        {
            problems.Add("expected detections, got none");
        }

        foreach (var level in suiteCase.DetectLevels)
        {
            var priority = FalcoPriorities.Normalize(level) ?? level;
            if (levels.GetValueOrDefault(priority) == 0)
            {
                problems.Add($"expected detections at {level}, got none");
            }
        }

        foreach (var (rule, count) in suiteCase.DetectCounts)
        {
            var actual = scan.Counts.GetValueOrDefault(rule);
            if (actual != count)
            {
                var why = translation.Priorities.ContainsKey(rule) ? string.Empty
                    : collector.Rules.Any(r => r.Name == rule) ? " (the rule was not translated)"
                    : " (no rule by that name in the loaded rule files)";
                problems.Add($"expected {rule}: {count}, got {actual}{why}");
            }
        }

        if (problems.Count > 0 && total > 0)
        {
            problems.Add($"fired {Describe(scan.Counts)}");
        }

        return problems;
    }

    private static string Summary(FalcoSuiteCase suiteCase, IReadOnlyDictionary<string, int> counts) =>
        suiteCase.Detect ? Describe(counts) : "no detection";

    private static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "nothing" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));

    private static FalcoCaseResult Skip(FalcoSuiteCase suiteCase, string why, List<string> notes) =>
        new(suiteCase, FalcoCaseOutcome.Skipped, why, new Dictionary<string, int>(), notes);

    private static string? ResolveRuleFile(string written, string suiteDirectory, FalcoSuiteOptions options)
    {
        if (!written.StartsWith("BUILD_DIR/", StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(Path.Combine(suiteDirectory, written));
            return File.Exists(path) ? path : null;
        }

        var directory = options.RulesDirectory ?? Path.Combine(suiteDirectory, "..", "rules");
        return FindByName(directory, Path.GetFileName(written));
    }

    private static string? ResolveTrace(string written, string suiteDirectory, FalcoSuiteOptions options)
    {
        var path = Path.GetFullPath(Path.Combine(suiteDirectory, written));
        if (File.Exists(path))
        {
            return path;
        }

        var name = Path.GetFileName(written);
        return new[] { options.TracesDirectory, Path.Combine(suiteDirectory, "trace_files"), Path.Combine(suiteDirectory, "..", "trace_files") }
            .OfType<string>()
            .Select(directory => FindByName(directory, name))
            .FirstOrDefault(found => found is not null);
    }

    private static string? FindByName(string directory, string name) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, name, SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault() : null;

    private sealed record TraceScan(Dictionary<string, int> Counts, List<ReadDiagnostic> ReadProblems);

    /// <summary>Every event of the trace through the detection engine, counting alerts per rule.</summary>
    private static TraceScan Scan(RuleSet rules, string trace)
    {
        var engine = new DetectionEngine(rules);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var handler = new CountingHandler(engine, counts);
        new AuditLogReader().ReadPaths([trace], handler);
        return new TraceScan(counts, handler.Problems);
    }

    private sealed class CountingHandler(DetectionEngine engine, Dictionary<string, int> counts) : IAuditEventHandler
    {
        public List<ReadDiagnostic> Problems { get; } = [];

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) =>
            engine.Process(auditEvent, alert => counts[alert.Rule] = counts.GetValueOrDefault(alert.Rule) + 1);

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Problems.Add(diagnostic);
    }
}
