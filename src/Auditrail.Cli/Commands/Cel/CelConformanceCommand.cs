using System.CommandLine;
using Auditrail.Cel.Conformance;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Spectre.Console;

namespace Auditrail.Cli.Commands.Cel;

/// <summary><c>auditrail cel conformance DIR</c>: runs cel-spec's simple conformance files against our CEL engine.</summary>
internal static class CelConformanceCommand
{
    public const string Examples = """
          # Run every .textproto file of a cel-spec checkout's simple test data
          auditrail cel conformance cel-spec/tests/simple/testdata

          # Also list each failed and skipped test with the reason
          auditrail cel conformance tests/data/cel-spec --details

          # Machine-readable results
          auditrail cel conformance tests/data/cel-spec -o json
        """;

    public static Command Create(CliContext context)
    {
        var directory = new Argument<string>("directory") { Description = "Folder of cel-spec .textproto files (SimpleTestFile), or one file." };
        var details = new Option<bool>("--details") { Description = "List every failed and skipped test with its reason." };
        var output = OutputOption.Create("default table");
        var command = new Command("conformance", "Run cel-spec conformance tests and report pass counts per file.") { directory, details, output };
        command.SetAction(parseResult => Run(context, parseResult.GetValue(directory)!, parseResult.GetValue(details), parseResult.GetValue(output) ?? OutputFormat.Table));
        return command;
    }

    private static int Run(CliContext context, string path, bool details, OutputFormat format)
    {
        var files = File.Exists(path) ? [path]
            : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*.textproto").Order(StringComparer.Ordinal).ToArray()
            : [];
        if (files.Length == 0)
        {
            context.Error.WriteLine($"error: no .textproto files at '{path}'");
            return ExitCodes.UsageOrUnusableInput;
        }

        var results = new List<ConformanceFileResult>();
        var unreadable = 0;
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            if (!ConformanceFile.TryParse(bytes, file, out var parsed, out var error))
            {
                context.Error.WriteLine($"error: {error!.Message}");
                unreadable++;
                continue;
            }

            results.Add(ConformanceRunner.Run(parsed!));
        }

        if (format == OutputFormat.Table)
        {
            WriteTable(context, results, details);
        }
        else
        {
            StructuredOutput.Write(context, format, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("files");
                foreach (var result in results)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", result.Name);
                    writer.WriteNumber("passed", result.Passed);
                    writer.WriteNumber("failed", result.Failed);
                    writer.WriteNumber("skipped", result.Skipped);
                    writer.WriteStartArray("notPassed");
                    foreach (var test in result.Tests.Where(t => t.Outcome != ConformanceOutcome.Passed))
                    {
                        writer.WriteStartObject();
                        writer.WriteString("test", test.Test.Id);
                        writer.WriteString("outcome", test.Outcome.ToString().ToLowerInvariant());
                        writer.WriteString("expr", test.Test.Expr);
                        writer.WriteString("reason", test.Detail);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteNumber("passed", results.Sum(r => r.Passed));
                writer.WriteNumber("failed", results.Sum(r => r.Failed));
                writer.WriteNumber("skipped", results.Sum(r => r.Skipped));
                writer.WriteEndObject();
            });
        }

        if (unreadable > 0)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        return results.Any(r => r.Failed > 0) ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    private static void WriteTable(CliContext context, List<ConformanceFileResult> results, bool details)
    {
        var console = context.CreateConsole();
        var table = new Table().AddColumns("file", "passed", "failed", "skipped", "pass rate of run tests");
        foreach (var result in results)
        {
            table.AddRow(Markup.Escape(result.Name), result.Passed.ToString("N0"), result.Failed.ToString("N0"), result.Skipped.ToString("N0"), result.PassRate.ToString("P1"));
        }

        console.Write(table);
        if (details)
        {
            foreach (var test in results.SelectMany(r => r.Tests).Where(t => t.Outcome != ConformanceOutcome.Passed))
            {
                context.Out.WriteLine($"{test.Outcome.ToString().ToLowerInvariant()} {test.Test.Id}: {test.Test.Expr} — {test.Detail}");
            }
        }

        // The last line is the summary scripts look for.
        context.Out.WriteLine($"cel-spec: {results.Sum(r => r.Passed)} passed, {results.Sum(r => r.Failed)} failed, {results.Sum(r => r.Skipped)} skipped");
    }
}
