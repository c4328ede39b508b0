using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Testing;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Rules;

/// <summary><c>auditrail rules list|lint|test|import-falco|falco-suite|backtest</c>: inspect, check, test, import and backtest rule packs.</summary>
internal static class RulesCommand
{
    public const string Examples = """
          # Every problem in a rule pack, like a compiler (exit 1 on errors)
          auditrail rules lint rules/

          # What a pack contains, and which events each rule is indexed on
          auditrail rules list rules/ -o json

          # Run rule test suites (kind: RuleTest) in CI
          auditrail rules test rules/tests --rules rules/

          # Falco rule files load too (translated); import them as a pack to keep
          auditrail rules lint k8s_audit_rules.yaml
          auditrail rules import-falco k8s_audit_rules.yaml > falco-pack.yaml
        """;

    public static Command Create(CliContext context, Dictionary<Command, string> examples)
    {
        var command = new Command("rules", "Inspect, check, test and import detection rule packs (Falco k8saudit rules included).");
        var list = CreateList(context);
        var lint = CreateLint(context);
        var test = CreateTest(context);
        var importFalco = FalcoCommands.CreateImport(context);
        var falcoSuite = FalcoCommands.CreateSuite(context);
        var backtest = BacktestCommand.Create(context);
        command.Subcommands.Add(list);
        command.Subcommands.Add(lint);
        command.Subcommands.Add(test);
        command.Subcommands.Add(importFalco);
        command.Subcommands.Add(falcoSuite);
        command.Subcommands.Add(backtest);
        foreach (var sub in new[] { command, list, lint, test })
        {
            examples[sub] = Examples;
        }

        examples[importFalco] = FalcoCommands.ImportExamples;
        examples[falcoSuite] = FalcoCommands.SuiteExamples;
        examples[backtest] = BacktestCommand.Examples;
        return command;
    }

    private static Argument<string[]> RulePaths() => new("rules") { Description = "Rule files or directories, loaded in order.", Arity = ArgumentArity.OneOrMore };

    private static Command CreateLint(CliContext context)
    {
        var paths = RulePaths();
        var command = new Command("lint", "Load and compile rule packs and report every problem with file:line:column and a code.") { paths };
        command.SetAction(parseResult =>
        {
            var (set, diagnostics) = Load(parseResult.GetValue(paths)!);
            foreach (var diagnostic in diagnostics)
            {
                context.Out.WriteLine(diagnostic.ToString());
            }

            var errors = diagnostics.Count(d => !d.IsWarning);
            context.Out.WriteLine($"{set.Rules.Count} rules compiled; {errors} errors, {diagnostics.Count - errors} warnings");
            return errors > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateList(CliContext context)
    {
        var paths = RulePaths();
        var output = OutputOption.Create("default table");
        var command = new Command("list", "List the rules of a pack with severity, stages, tags and index keys.") { paths, output };
        command.SetAction(parseResult =>
        {
            var (set, diagnostics) = Load(parseResult.GetValue(paths)!);
            foreach (var diagnostic in diagnostics)
            {
                context.Error.WriteLine(diagnostic.ToString());
            }

            var format = parseResult.GetValue(output) ?? OutputFormat.Table;
            if (format == OutputFormat.Table)
            {
                var table = new Table().AddColumns("RULE", "SEVERITY", "STAGES", "VERBS", "RESOURCES", "TAGS");
                foreach (var rule in set.Rules)
                {
                    table.AddRow(Markup.Escape(rule.Definition.Name), rule.Definition.Severity.ToWireName(), string.Join(",", IndexedStages(rule)),
                        Markup.Escape(Keys(rule.IndexKey.Verbs)), Markup.Escape(Keys(rule.IndexKey.Resources)), Markup.Escape(string.Join(",", rule.Definition.Tags)));
                }

                context.CreateConsole().Write(table);
            }
            else
            {
                StructuredOutput.Write(context, format, writer =>
                {
                    writer.WriteStartArray();
                    foreach (var rule in set.Rules)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("name", rule.Definition.Name);
                        writer.WriteString("severity", rule.Definition.Severity.ToWireName());
                        writer.WriteString("description", rule.Definition.Description);
                        writer.WriteString("condition", rule.Definition.Condition);
                        writer.WriteString("source", rule.Definition.Location.ToString());
                        WriteStrings(writer, "stages", IndexedStages(rule).Select(s => s.ToString()));
                        WriteStrings(writer, "tags", rule.Definition.Tags);
                        WriteStrings(writer, "verbs", rule.IndexKey.Verbs ?? (IEnumerable<string>)[]);
                        WriteStrings(writer, "resources", rule.IndexKey.Resources ?? (IEnumerable<string>)[]);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                });
            }

            return diagnostics.Any(d => !d.IsWarning) ? ExitCodes.BadRecords : ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateTest(CliContext context)
    {
        var suites = new Argument<string>("suites") { Description = "A RuleTest file or a directory of them." };
        var rules = new Option<string[]>("--rules") { Description = "Rules for suites that do not name their own (repeatable)." };
        var command = new Command("test", "Run rule test suites: event files and the alerts each rule must raise (0 for near-misses).") { suites, rules };
        command.SetAction(parseResult =>
        {
            var diagnostics = new List<RuleDiagnostic>();
            var loaded = RuleTestRunner.LoadSuites(parseResult.GetValue(suites)!, diagnostics);
            var defaults = (parseResult.GetValue(rules) ?? []).Select(Path.GetFullPath).ToList();
            var results = loaded.SelectMany(s => RuleTestRunner.Run(s, defaults, diagnostics)).ToList();
            foreach (var result in results)
            {
                var verdict = result.Passed ? "pass" : "FAIL";
                context.Out.WriteLine($"{verdict} {result.Suite.Name} {result.Expectation.Rule}: expected {result.Expectation.Alerts} alerts, got {result.Actual} ({result.Expectation.Location})");
            }

            foreach (var diagnostic in diagnostics)
            {
                context.Error.WriteLine(diagnostic.ToString());
            }

            var failed = results.Count(r => !r.Passed);
            var errors = diagnostics.Count(d => !d.IsWarning);
            context.Out.WriteLine($"rules-test: {results.Count - failed} passed, {failed} failed, {errors} errors in {loaded.Count} suites");
            return failed > 0 || errors > 0 || loaded.Count == 0 ? ExitCodes.BadRecords : ExitCodes.Success;
        });
        return command;
    }

    private static (RuleSet Set, List<RuleDiagnostic> Diagnostics) Load(string[] paths)
    {
        var loader = new RulePackLoader();
        foreach (var path in paths)
        {
            loader.LoadPath(path);
        }

        var diagnostics = new List<RuleDiagnostic>(loader.Diagnostics);
        return (RuleSet.Compile(loader.Build(), diagnostics), diagnostics);
    }

    /// <summary>The stages the rule is indexed on: its own, narrowed by a condition that pins the stage (as translated Falco rules do).</summary>
    private static IEnumerable<Core.Model.AuditStage> IndexedStages(CompiledRule rule) => rule.IndexKey.Stages.Order();

    private static string Keys(IReadOnlySet<string>? keys) => keys is null ? "*" : string.Join(",", keys.Order(StringComparer.Ordinal));

    private static void WriteStrings(System.Text.Json.Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
