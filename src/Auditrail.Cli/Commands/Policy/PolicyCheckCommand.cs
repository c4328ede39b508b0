using System.CommandLine;
using Auditrail.AuditPolicy.Lint;
using Auditrail.AuditPolicy.Loading;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;

namespace Auditrail.Cli.Commands.Policy;

/// <summary><c>auditrail policy check</c>: kube-apiserver's validation, then lint, each finding placed and explained.</summary>
internal static class PolicyCheckCommand
{
    public const string Examples = """
          # Would kube-apiserver accept the policy, and what does it get wrong?
          auditrail policy check /etc/kubernetes/audit-policy.yaml

          # In CI: fail on warnings too, findings as JSON
          auditrail policy check audit-policy.yaml --strict -o json
        """;

    public static Command Create(CliContext context)
    {
        var path = new Argument<string>("policy") { Description = "The audit policy file (audit.k8s.io/v1 Policy, YAML or JSON)." };
        var output = OutputOption.Create("default table: one line per finding with its explanation");
        var strict = new Option<bool>("--strict") { Description = "Exit with 1 on warnings too, not only on errors." };
        var command = new Command("check", "Validate an audit policy as kube-apiserver does, then lint it: every finding with file:line, a code, the rule index and why it matters.")
        {
            path, output, strict,
        };
        command.SetAction(parseResult => Run(context, parseResult.GetValue(path)!, parseResult.GetValue(output) ?? OutputFormat.Table, parseResult.GetValue(strict)));
        return command;
    }

    private static int Run(CliContext context, string path, OutputFormat format, bool strict)
    {
        var loaded = PolicyLoader.LoadFile(path);
        if (loaded.Policy is null)
        {
            foreach (var finding in loaded.Findings)
            {
                context.Error.WriteLine(finding.ToString());
            }

            return ExitCodes.UsageOrUnusableInput;
        }

        // Lint reads what the policy does, which is only defined once kube-apiserver would accept it.
        var findings = loaded.HasErrors ? loaded.Findings : [.. loaded.Findings, .. PolicyLinter.Lint(loaded.Policy)];
        var errors = findings.Count(f => f.Severity == FindingSeverity.Error);
        var warnings = findings.Count(f => f.Severity == FindingSeverity.Warning);
        if (format == OutputFormat.Table)
        {
            foreach (var finding in findings)
            {
                context.Out.WriteLine(finding.ToString());
                if (finding.Explanation.Length > 0)
                {
                    context.Out.WriteLine($"    {finding.Explanation}");
                }
            }

            var lintNote = loaded.HasErrors ? "; lint skipped until the errors are fixed" : string.Empty;
            context.Out.WriteLine($"{path}: {loaded.Policy.Rules.Count} rules; {errors} errors, {warnings} warnings{lintNote}");
        }
        else
        {
            StructuredOutput.Write(context, format, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("policy", path);
                writer.WriteNumber("rules", loaded.Policy.Rules.Count);
                writer.WriteNumber("errors", errors);
                writer.WriteNumber("warnings", warnings);
                writer.WriteBoolean("linted", !loaded.HasErrors);
                writer.WriteStartArray("findings");
                foreach (var finding in findings)
                {
                    writer.WriteStartObject();
                    writer.WriteString("code", finding.Code);
                    writer.WriteString("severity", finding.Severity.ToString().ToLowerInvariant());
                    if (finding.RuleIndex is { } rule)
                    {
                        writer.WriteNumber("rule", rule);
                    }
                    else
                    {
                        writer.WriteNull("rule");
                    }

                    writer.WriteNumber("line", finding.Location.Line);
                    writer.WriteNumber("column", finding.Location.Column);
                    writer.WriteString("message", finding.Message);
                    writer.WriteString("explanation", finding.Explanation);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }

        return errors > 0 || (strict && warnings > 0) ? ExitCodes.BadRecords : ExitCodes.Success;
    }
}
