using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Rbac.Risks;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary><c>auditrail rbac risks</c>: risky grants, each with severity, subject, binding → role → rule and why it matters.</summary>
internal static class RbacRisksCommand
{
    public const string Examples = """
          # Every risky grant in a directory of manifests, worst first
          auditrail rbac risks --rbac rbac/

          # Only high and critical, with the control plane's own grants marked expected (listed, not counted)
          auditrail rbac risks --rbac rbac/ --min-severity high --exclude-system

          # A live cluster, as JSON for a report
          auditrail rbac risks --context prod -o json
        """;

    public static Command Create(CliContext context)
    {
        var input = new RbacInput();
        var minSeverity = new Option<RiskSeverity>("--min-severity")
        {
            Description = "Report findings of this severity and worse: low, medium, high or critical (default low).",
            HelpName = "SEVERITY",
            DefaultValueFactory = _ => RiskSeverity.Low,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
                if (Enum.TryParse<RiskSeverity>(text, ignoreCase: true, out var severity) && Enum.IsDefined(severity) && !int.TryParse(text, out _))
                {
                    return severity;
                }

                result.AddError($"unknown severity '{text}': use low, medium, high or critical");
                return RiskSeverity.Low;
            },
        };
        var excludeSystem = new Option<bool>("--exclude-system")
        {
            Description = "Mark grants to control-plane identities (system:* users and groups, kube-system controllers bound by system: bindings) as expected: still listed, apart, but not counted in the exit code.",
        };
        var output = OutputOption.Create("default table: one row per finding, then each risk's explanation");
        var command = new Command("risks", "Find risky permissions (cluster-admin equivalents, escalate/bind/impersonate, Secret reads, pod and workload writes, exec, nodes/proxy, token minting, CSR approval, admission configuration, status writes, aws-auth, wildcards for broad groups): severity, subject, binding → role → rule, and why it matters. Exit code 1 when a finding is not expected.")
        {
            minSeverity, excludeSystem, output,
        };
        input.AddTo(command);
        ExitCodeHelp.Set(command, "Exit codes: 0 no finding (or only expected ones), 1 findings reported or some input rejected, 2 usage error or no RBAC could be loaded.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var loaded = await input.LoadAsync(parseResult, context, cancellationToken).ConfigureAwait(false);
            if (loaded is null)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            var threshold = parseResult.GetValue(minSeverity);
            var markExpected = parseResult.GetValue(excludeSystem);
            var findings = RiskAnalyzer.Analyze(loaded.Snapshot).Where(f => f.Severity >= threshold).ToList();
            var counted = findings.Where(f => !(markExpected && f.ControlPlane)).ToList();
            var expected = findings.Where(f => markExpected && f.ControlPlane).ToList();
            Write(context, counted, expected, parseResult.GetValue(output) ?? OutputFormat.Table);
            return counted.Count > 0 || loaded.HadErrors ? ExitCodes.BadRecords : ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, List<RiskFinding> counted, List<RiskFinding> expected, OutputFormat format)
    {
        if (format != OutputFormat.Table)
        {
            StructuredOutput.Write(context, format, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartObject("summary");
                foreach (var severity in Enum.GetValues<RiskSeverity>().Reverse())
                {
                    writer.WriteNumber(severity.ToString().ToLowerInvariant(), counted.Count(f => f.Severity == severity));
                }

                writer.WriteNumber("expected", expected.Count);
                writer.WriteEndObject();
                writer.WriteStartArray("findings");
                var expectedSet = expected.ToHashSet(ReferenceEqualityComparer.Instance);
                foreach (var finding in counted.Concat(expected))
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", finding.Risk.Id);
                    writer.WriteString("risk", finding.Risk.Name);
                    writer.WriteString("severity", finding.Severity.ToString().ToLowerInvariant());
                    writer.WriteBoolean("controlPlane", finding.ControlPlane);
                    writer.WriteBoolean("expected", expectedSet.Contains(finding));
                    writer.WriteString("scope", finding.Scope);
                    RbacJson.WriteGrant(writer, finding.Grant);
                    RbacJson.WriteStrings(writer, "permissions", finding.Permissions);
                    RbacJson.WriteStrings(writer, "notes", finding.Notes);
                    writer.WriteString("why", finding.Risk.Why);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return;
        }

        WriteTable(context.Out, counted);
        if (expected.Count > 0)
        {
            context.Out.WriteLine();
            context.Out.WriteLine($"Expected (control-plane identities, --exclude-system): {expected.Count}");
            WriteTable(context.Out, expected);
        }

        var risks = counted.Concat(expected).Select(f => f.Risk).Distinct().OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        if (risks.Count > 0)
        {
            context.Out.WriteLine();
            foreach (var risk in risks)
            {
                context.Out.WriteLine($"{risk.Id} {risk.Name}: {risk.Title}. {risk.Why}");
            }
        }

        context.Out.WriteLine();
        var bySeverity = Enum.GetValues<RiskSeverity>().Reverse().Select(s => $"{counted.Count(f => f.Severity == s)} {s.ToString().ToLowerInvariant()}");
        context.Out.WriteLine($"{counted.Count} finding(s): {string.Join(", ", bySeverity)}{(expected.Count > 0 ? $"; {expected.Count} expected" : string.Empty)}");
    }

    private static void WriteTable(TextWriter output, List<RiskFinding> findings)
    {
        var rows = findings.Select(f => new[]
        {
            f.Severity.ToString().ToUpperInvariant(),
            $"{f.Risk.Id} {f.Risk.Name}",
            f.Grant.SubjectText,
            $"{f.Grant.Binding.DisplayName} → {f.Grant.Role.DisplayName} rules[{f.Grant.RuleIndex}]",
            f.Scope,
            string.Join(", ", f.Permissions) + (f.Notes.Count > 0 ? $" ({string.Join("; ", f.Notes)})" : string.Empty),
        }).ToList();
        RbacTable.Write(output, ["SEVERITY", "RISK", "SUBJECT", "BINDING → ROLE", "SCOPE", "GRANTS"], rows);
    }
}
