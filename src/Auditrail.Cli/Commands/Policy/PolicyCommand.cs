using System.CommandLine;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Loading;
using Auditrail.Cli.Hosting;

namespace Auditrail.Cli.Commands.Policy;

/// <summary><c>auditrail policy check|simulate|recommend</c>: see what an audit policy does before it is deployed.</summary>
internal static class PolicyCommand
{
    public static Command Create(CliContext context, Dictionary<Command, string> examples) => CommandGroup.Create(
        "policy",
        "Audit policy (audit.k8s.io Policy): validate and lint it, simulate it over logs, recommend one from traffic.",
        examples,
        (PolicyCheckCommand.Create(context), PolicyCheckCommand.Examples),
        (PolicySimulateCommand.Create(context), PolicySimulateCommand.Examples),
        (PolicyRecommendCommand.Create(context), PolicyRecommendCommand.Examples));

    /// <summary>Loads a policy to run it: problems go to stderr; null when it has errors (kube-apiserver would refuse it).</summary>
    internal static CompiledPolicy? LoadForUse(CliContext context, string path)
    {
        var result = PolicyLoader.LoadFile(path);
        foreach (var finding in result.Findings)
        {
            context.Error.WriteLine(finding.ToString());
        }

        if (result.Policy is null || result.HasErrors)
        {
            context.Error.WriteLine($"error: {path} is not a valid audit policy; run 'auditrail policy check {path}' for details");
            return null;
        }

        return CompiledPolicy.Compile(result.Policy);
    }
}
