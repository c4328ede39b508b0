using System.CommandLine;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Testing;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;

namespace Auditrail.Cli.Commands.Admission;

/// <summary><c>auditrail admission test</c>: kyverno-test-style suites for guardrails.</summary>
internal static class AdmissionTestCommand
{
    public const string Examples = """
          # Run the suites of the bundled guardrails
          auditrail admission test guardrails/tests/

          # One suite, results as JSON
          auditrail admission test guardrails/tests/no-root.yaml -o json
        """;

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("suites")
        {
            Description = "GuardrailTest suite files, or directories of them.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = OutputOption.Create("default table: one line per expectation and a summary");
        var command = new Command("test", "Run GuardrailTest suites: each expected result (pass, fail, warn, skip, patched fields) per guardrail and resource; exit 1 on any mismatch.")
        {
            paths, output,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(context, parseResult.GetValue(paths) ?? [], parseResult.GetValue(output) ?? OutputFormat.Table, cancellationToken)));
        return command;
    }

    private static int Run(CliContext context, string[] paths, OutputFormat format, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*.yaml", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                context.Error.WriteLine($"error: '{path}' not found");
                return ExitCodes.UsageOrUnusableInput;
            }
        }

        var diagnostics = new List<AdmissionDiagnostic>();
        var reports = new List<GuardrailTestReport>();
        foreach (var file in files)
        {
            if (GuardrailTestSuite.Load(file, diagnostics) is { } suite)
            {
                var report = GuardrailTestRunner.Run(suite, (set, namespaces) => AdmissionSetup.Compose(set, namespaces), cancellationToken);
                diagnostics.AddRange(report.Diagnostics);
                reports.Add(report);
            }
        }

        foreach (var diagnostic in diagnostics)
        {
            context.Error.WriteLine(diagnostic.ToString());
        }

        if (reports.Count == 0)
        {
            context.Error.WriteLine("error: no suite could be run");
            return ExitCodes.UsageOrUnusableInput;
        }

        var passed = reports.Sum(r => r.Passed);
        var failed = reports.Sum(r => r.Failed);
        if (format == OutputFormat.Table)
        {
            foreach (var report in reports)
            {
                context.Out.WriteLine($"{report.Suite.Name} ({report.Suite.File})");
                foreach (var outcome in report.Outcomes)
                {
                    var check = outcome.Case.Check is null ? outcome.Case.Guardrail : $"{outcome.Case.Guardrail}/{outcome.Case.Check}";
                    var line = $"  {(outcome.Passed ? "PASS" : "FAIL")} {check} {outcome.Resource}: {outcome.Actual}";
                    context.Out.WriteLine(outcome.Passed ? line : $"{line} ({outcome.Detail}) [line {outcome.Case.Line}]");
                }
            }

            context.Out.WriteLine($"{reports.Count} suites, {passed + failed} results: {passed} passed, {failed} failed");
        }
        else
        {
            StructuredOutput.Write(context, format, writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("suites", reports.Count);
                writer.WriteNumber("passed", passed);
                writer.WriteNumber("failed", failed);
                writer.WriteStartArray("results");
                foreach (var report in reports)
                {
                    foreach (var outcome in report.Outcomes)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("suite", report.Suite.Name);
                        writer.WriteString("guardrail", outcome.Case.Guardrail);
                        writer.WriteString("check", outcome.Case.Check);
                        writer.WriteString("resource", outcome.Resource);
                        writer.WriteString("expected", GuardrailTestRunner.Name(outcome.Case.Result));
                        writer.WriteString("actual", outcome.Actual);
                        writer.WriteBoolean("passed", outcome.Passed);
                        writer.WriteString("detail", outcome.Detail);
                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }

        return failed > 0 || diagnostics.Exists(d => !d.IsWarning) ? ExitCodes.BadRecords : ExitCodes.Success;
    }
}
