using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Engine;
using Auditrail.Detection.Rules;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Detection.Testing;

/// <summary>What one rule must do on a suite's events: fire exactly <see cref="Alerts"/> times (0 for a near-miss).</summary>
public sealed record RuleExpectation(string Rule, int Alerts, SourceLocation Location);

/// <summary>
/// A <c>kind: RuleTest</c> document, in the style of <c>kyverno test</c>: audit event files and the
/// number of alerts each rule must raise on them. Paths are relative to the suite file.
/// </summary>
/// <example>
/// <code>
/// apiVersion: auditrail.io/v1alpha1
/// kind: RuleTest
/// metadata: {name: exec}
/// rules: [../exec.yaml]
/// events: [exec-fires.jsonl, exec-near-miss.jsonl]
/// expect:
///   - {rule: exec-into-pod, alerts: 1}
/// </code>
/// </example>
public sealed record RuleTestSuite(string Name, string File, IReadOnlyList<string> RuleFiles, IReadOnlyList<string> EventFiles, IReadOnlyList<RuleExpectation> Expectations);

/// <summary>The verdict on one expectation.</summary>
public sealed record RuleTestResult(RuleTestSuite Suite, RuleExpectation Expectation, int Actual)
{
    public bool Passed => Actual == Expectation.Alerts;
}

/// <summary>Loads suites from YAML and runs them through the real loader, compiler and engine.</summary>
public static class RuleTestRunner
{
    public static List<RuleTestSuite> LoadSuites(string path, List<RuleDiagnostic> diagnostics)
    {
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [path];
        var suites = new List<RuleTestSuite>();
        foreach (var file in files)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(File.ReadAllText(file)));
            }
            catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or IOException)
            {
                diagnostics.Add(new RuleDiagnostic(file, 0, 0, RuleCodes.YamlSyntax, ex.Message));
                continue;
            }

            foreach (var document in stream.Documents)
            {
                if (document.RootNode is YamlMappingNode root && RulePackLoader.Scalar(root, "kind") == "RuleTest")
                {
                    suites.Add(ParseSuite(root, file, diagnostics));
                }
            }
        }

        return suites;
    }

    private static RuleTestSuite ParseSuite(YamlMappingNode root, string file, List<RuleDiagnostic> diagnostics)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var name = (root.Children.TryGetValue("metadata", out var metadata) && metadata is YamlMappingNode m ? RulePackLoader.Scalar(m, "name") : null) ?? Path.GetFileNameWithoutExtension(file);
        var expectations = new List<RuleExpectation>();
        if (root.Children.TryGetValue("expect", out var expect) && expect is YamlSequenceNode items)
        {
            foreach (var item in items.Children.OfType<YamlMappingNode>())
            {
                var location = new SourceLocation(file, (int)item.Start.Line, (int)item.Start.Column);
                if (RulePackLoader.Scalar(item, "rule") is { } rule && int.TryParse(RulePackLoader.Scalar(item, "alerts"), out var alerts) && alerts >= 0)
                {
                    expectations.Add(new RuleExpectation(rule, alerts, location));
                }
                else
                {
                    diagnostics.Add(new RuleDiagnostic(file, location.Line, location.Column, RuleCodes.MissingField, "an expectation needs a rule and a non-negative alerts count"));
                }
            }
        }

        if (expectations.Count == 0)
        {
            diagnostics.Add(new RuleDiagnostic(file, (int)root.Start.Line, (int)root.Start.Column, RuleCodes.MissingField, $"suite '{name}' expects nothing"));
        }

        return new RuleTestSuite(name, file, Paths(root, "rules", directory), Paths(root, "events", directory), expectations);
    }

    /// <summary>
    /// Runs a suite: its rule files (or <paramref name="defaultRules"/> when it names none) over its
    /// events, counting alerts per rule. A rule the pack lacks is an error, not a silent zero.
    /// </summary>
    public static List<RuleTestResult> Run(RuleTestSuite suite, IReadOnlyList<string> defaultRules, List<RuleDiagnostic> diagnostics)
    {
        var loader = new RulePackLoader();
        foreach (var path in suite.RuleFiles.Count > 0 ? suite.RuleFiles : defaultRules)
        {
            loader.LoadPath(path);
        }

        diagnostics.AddRange(loader.Diagnostics);
        var ruleSet = RuleSet.Compile(loader.Build(), diagnostics);
        var engine = new DetectionEngine(ruleSet);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var handler = new CountingHandler(engine, counts, diagnostics);
        new EventTimeMerger().ReadMerged(suite.EventFiles, handler);

        var results = new List<RuleTestResult>();
        foreach (var expectation in suite.Expectations)
        {
            if (!ruleSet.Rules.Any(r => r.Definition.Name == expectation.Rule))
            {
                diagnostics.Add(new RuleDiagnostic(expectation.Location.File, expectation.Location.Line, expectation.Location.Column, RuleCodes.MissingField,
                    $"suite '{suite.Name}' expects rule '{expectation.Rule}', which is not loaded (or is disabled)"));
            }

            results.Add(new RuleTestResult(suite, expectation, counts.GetValueOrDefault(expectation.Rule)));
        }

        return results;
    }

    private static List<string> Paths(YamlMappingNode root, string key, string directory) =>
        root.Children.TryGetValue(key, out var node) && node is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlScalarNode>().Select(s => Path.GetFullPath(Path.Combine(directory, s.Value ?? string.Empty))).ToList()
            : [];

    private sealed class CountingHandler(DetectionEngine engine, Dictionary<string, int> counts, List<RuleDiagnostic> diagnostics) : IAuditEventHandler
    {
        public void OnEvent(AuditEvent auditEvent, in RecordLocation location) =>
            engine.Process(auditEvent, alert => counts[alert.Rule] = counts.GetValueOrDefault(alert.Rule) + 1);

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
            // Event files of a suite must be clean: a broken fixture would make a near-miss pass by accident.
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                diagnostics.Add(new RuleDiagnostic(diagnostic.Source, (int)diagnostic.Line, 0, RuleCodes.InvalidValue, $"event file: {diagnostic.Message}"));
            }
        }
    }
}
