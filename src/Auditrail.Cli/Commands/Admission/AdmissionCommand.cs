using System.CommandLine;
using Auditrail.Cli.Hosting;

namespace Auditrail.Cli.Commands.Admission;

/// <summary><c>auditrail admission check|test|replay|scan</c>: guardrails offline, before and after the fact.</summary>
internal static class AdmissionCommand
{
    public static Command Create(CliContext context, Dictionary<Command, string> examples)
    {
        var check = AdmissionCheckCommand.Create(context);
        var test = AdmissionTestCommand.Create(context);
        var replay = AdmissionReplayCommand.Create(context);
        var scan = AdmissionScanCommand.Create(context);
        var command = new Command("admission", "Admission guardrails offline: check manifests, run guardrail test suites, replay audit history, scan existing objects into PolicyReports.")
        {
            check, test, replay, scan,
        };
        examples[command] = string.Join(Environment.NewLine + Environment.NewLine,
            new[] { AdmissionCheckCommand.Examples, AdmissionTestCommand.Examples, AdmissionReplayCommand.Examples, AdmissionScanCommand.Examples }.Select(e => e.TrimEnd()));
        examples[check] = AdmissionCheckCommand.Examples;
        examples[test] = AdmissionTestCommand.Examples;
        examples[replay] = AdmissionReplayCommand.Examples;
        examples[scan] = AdmissionScanCommand.Examples;
        return command;
    }
}
