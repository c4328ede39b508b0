using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Detection.Falco;
using Auditrail.Detection.Rules;
using Auditrail.Detection.Testing;

namespace Auditrail.Cli.Commands.Rules;

/// <summary><c>auditrail rules import-falco</c> and <c>auditrail rules falco-suite</c>: bring Falco k8saudit rules over, and prove they behave the same.</summary>
internal static class FalcoCommands
{
    public const string ImportExamples = """
          # Translate Falco's k8s audit rules and an overlay into one rule pack
          auditrail rules import-falco k8s_audit_rules.yaml k8s_audit_rules_gke.yaml > falco-pack.yaml

          # The same pack as JSON
          auditrail rules import-falco k8s_audit_rules.yaml -o json

          # Or skip the import: scan accepts Falco rule files and translates them on load
          auditrail scan audit.log --rules k8s_audit_rules.yaml
        """;

    public const string SuiteExamples = """
          # Run Falco's own k8s audit test suite against the translated rules
          auditrail rules falco-suite test/falco_k8s_audit_tests.yaml

          # With the rules its BUILD_DIR paths name kept elsewhere
          auditrail rules falco-suite falco_k8s_audit_tests.yaml --rules-dir rules/ --traces trace_files/
        """;

    public static Command CreateImport(CliContext context)
    {
        var files = new Argument<string[]>("files") { Description = "Falco rule files, loaded in order (later files append to and override earlier ones, as in Falco).", Arity = ArgumentArity.OneOrMore };
        var output = OutputOption.Create("default yaml");
        var name = new Option<string?>("--name") { Description = "metadata.name of the pack (default: falco- and the first file's name)." };
        var command = new Command("import-falco", "Translate Falco k8saudit rule files into an Auditrail rule pack; items that cannot be translated are reported with file:line.")
        {
            files, output, name,
        };
        command.SetAction(parseResult =>
        {
            var format = parseResult.GetValue(output) ?? OutputFormat.Yaml;
            if (format == OutputFormat.Table)
            {
                context.Error.WriteLine("error: a rule pack is written as yaml or json, not a table");
                return ExitCodes.UsageOrUnusableInput;
            }

            var paths = parseResult.GetValue(files)!;
            if (paths.FirstOrDefault(p => !File.Exists(p)) is { } missing)
            {
                context.Error.WriteLine($"error: no such file: {missing}");
                return ExitCodes.UsageOrUnusableInput;
            }

            var translation = FalcoTranslator.TranslateFiles(paths);
            foreach (var diagnostic in translation.Diagnostics)
            {
                context.Error.WriteLine(diagnostic.ToString());
            }

            // The pack must load as it is written; a translation that does not compile is our bug, and said so.
            var compileProblems = new List<RuleDiagnostic>();
            RuleSet.Compile(translation.Pack, compileProblems);
            foreach (var problem in compileProblems)
            {
                context.Error.WriteLine(problem.ToString());
            }

            var packName = parseResult.GetValue(name) ?? $"falco-{Path.GetFileNameWithoutExtension(paths[0])}";
            StructuredOutput.Write(context, format, writer => RulePackWriter.Write(writer, translation.Pack, packName));
            var pack = translation.Pack;
            context.Error.WriteLine($"import-falco: {pack.Rules.Count} of {translation.RulesRead} rules, {pack.Macros.Count} macros, {pack.Lists.Count} lists translated; "
                + $"{translation.Untranslated} items not translated");
            return translation.Untranslated > 0 || compileProblems.Count > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateSuite(CliContext context)
    {
        var suite = new Argument<string>("suite") { Description = "Falco's k8s audit suite file (falco_k8s_audit_tests.yaml)." };
        var rulesDirectory = new Option<string?>("--rules-dir") { Description = "Where the rule files the suite names under BUILD_DIR are found, by file name (default: ../rules beside the suite)." };
        var traces = new Option<string?>("--traces") { Description = "Where traces are found, by file name, when not at the path the suite gives." };
        var command = new Command("falco-suite", "Run Falco's k8s audit test suite against the translated rules: one line per case, then the totals.")
        {
            suite, rulesDirectory, traces,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(suite)!;
            var problems = new List<RuleDiagnostic>();
            var cases = File.Exists(path) ? FalcoSuiteRunner.Load(path, problems) : [];
            if (cases.Count == 0)
            {
                context.Error.WriteLine(File.Exists(path) ? $"error: no cases in {path}" : $"error: no such file: {path}");
                problems.ForEach(p => context.Error.WriteLine(p.ToString()));
                return ExitCodes.UsageOrUnusableInput;
            }

            var options = new FalcoSuiteOptions { RulesDirectory = parseResult.GetValue(rulesDirectory), TracesDirectory = parseResult.GetValue(traces) };
            var results = cases.Select(c => FalcoSuiteRunner.Run(c, options)).ToList();
            foreach (var result in results)
            {
                var verdict = result.Outcome switch
                {
                    FalcoCaseOutcome.Passed => "pass",
                    FalcoCaseOutcome.Failed => "FAIL",
                    _ => "skip",
                };
                var notes = result.Notes.Count > 0 ? $" [{string.Join("; ", result.Notes)}]" : string.Empty;
                context.Out.WriteLine($"{verdict} {result.Case.Name}: {result.Detail}{notes}");
            }

            // What was not translated, once each, however many cases loaded the same file.
            foreach (var diagnostic in results.SelectMany(r => r.Diagnostics).Where(d => d.Code != RuleCodes.UnknownKey).Distinct())
            {
                context.Error.WriteLine(diagnostic.ToString());
            }

            var failed = results.Count(r => r.Outcome == FalcoCaseOutcome.Failed);
            var skipped = results.Count(r => r.Outcome == FalcoCaseOutcome.Skipped);
            context.Out.WriteLine($"falco-suite: {results.Count - failed - skipped} passed, {failed} failed, {skipped} skipped");
            return failed > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
        });
        return command;
    }
}
