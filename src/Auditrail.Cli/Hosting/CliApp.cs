using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Auditrail.Cli.Commands.Admission;
using Auditrail.Cli.Commands.Baseline;
using Auditrail.Cli.Commands.Cel;
using Auditrail.Cli.Commands.Fields;
using Auditrail.Cli.Commands.Import;
using Auditrail.Cli.Commands.Policy;
using Auditrail.Cli.Commands.Rbac;
using Auditrail.Cli.Commands.Query;
using Auditrail.Cli.Commands.Read;
using Auditrail.Cli.Commands.Rules;
using Auditrail.Cli.Commands.Scan;
using Auditrail.Cli.Commands.Serve;

namespace Auditrail.Cli.Hosting;

/// <summary>Builds the <c>auditrail</c> command tree and runs it against a <see cref="CliContext"/>.</summary>
public static class CliApp
{
    private const string RootExamples = """
          # Read the bundled sample and summarize it
          auditrail read samples/ --stats

          # Print the field catalog
          auditrail fields

          # What would this audit policy keep, and what would detection lose?
          auditrail policy simulate --policy audit-policy.yaml samples/
        """;

    public static int Run(string[] args, CliContext context)
    {
        var root = BuildRoot(context, out var examples);
        ReplaceHelp(root, examples);
        var parseResult = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = context.Out, Error = context.Error };

        // Usage errors exit with 2 (System.CommandLine would use 1, which our verbs reserve for "found problems").
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpWithExamples)
        {
            foreach (var error in parseResult.Errors)
            {
                context.Error.WriteLine($"error: {error.Message}");
            }

            context.Error.WriteLine($"Run '{CommandPath(parseResult.CommandResult.Command)} --help' for usage and examples.");
            return ExitCodes.UsageOrUnusableInput;
        }

        return parseResult.Invoke(configuration);
    }

    public static RootCommand BuildRoot(CliContext context, out Dictionary<Command, string> examples)
    {
        var root = new RootCommand("Auditrail turns Kubernetes audit logs into guardrails: read, detect, enforce, tighten.");
        var read = ReadCommand.Create(context);
        var fields = FieldsCommand.Create(context);
        var celEval = CelEvalCommand.Create(context);
        var celConformance = CelConformanceCommand.Create(context);
        var cel = new Command("cel", "Work with CEL, the expression language of rules and guardrails.") { celEval, celConformance };
        var scan = ScanCommand.Create(context);
        var serve = ServeCommand.Create(context);
        var import = ImportCommand.Create(context);
        root.Subcommands.Add(read);
        root.Subcommands.Add(scan);
        root.Subcommands.Add(import);
        root.Subcommands.Add(fields);
        root.Subcommands.Add(cel);
        root.Subcommands.Add(serve);
        var allExamples = new Dictionary<Command, string>();
        root.Subcommands.Add(RulesCommand.Create(context, allExamples));
        root.Subcommands.Add(BaselineCommand.Create(context, allExamples));
        root.Subcommands.Add(PolicyCommand.Create(context, allExamples));
        root.Subcommands.Add(RbacCommand.Create(context, allExamples));
        root.Subcommands.Add(AdmissionCommand.Create(context, allExamples));
        root.Subcommands.Add(QueryCommand.Create(context, allExamples));
        examples = new Dictionary<Command, string>(allExamples)
        {
            [root] = RootExamples,
            [read] = ReadCommand.Examples,
            [scan] = ScanCommand.Examples,
            [serve] = ServeCommand.Examples,
            [import] = ImportCommand.Examples,
            [fields] = FieldsCommand.Examples,
            [celEval] = CelEvalCommand.Examples,
            [celConformance] = CelConformanceCommand.Examples,
        };
        return root;
    }

    /// <summary>Appends each command's examples to the standard help text.</summary>
    private static void ReplaceHelp(RootCommand root, Dictionary<Command, string> examples)
    {
        var help = root.Options.OfType<HelpOption>().First();
        if (help.Action is HelpAction standard)
        {
            help.Action = new HelpWithExamples(standard, examples);
        }
    }

    private static string CommandPath(Command command) =>
        command is RootCommand ? "auditrail" : $"auditrail {command.Name}";

    private sealed class HelpWithExamples(HelpAction standard, Dictionary<Command, string> examples) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            standard.Invoke(parseResult);
            if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                output.WriteLine(text.TrimEnd());
                output.WriteLine();
                // Exit code 3 belongs to --fail-on, so a command that has the option documents it.
                var failOn = parseResult.CommandResult.Command.Options.Any(o => o.Name == "--fail-on");
                output.WriteLine(ExitCodeHelp.Get(parseResult.CommandResult.Command)
                    ?? "Exit codes: 0 success, 1 some input records were rejected, 2 usage error or unusable input"
                    + (failOn ? ", 3 an alert at or above --fail-on fired." : "."));
            }

            return ExitCodes.Success;
        }
    }
}
