using System.CommandLine;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Loading;
using Auditrail.Cli.Hosting;

namespace Auditrail.Cli.Commands.Policy;

/// <summary><c>auditrail policy check|simulate|recommend</c>: see what an audit policy does before it is deployed.</summary>
internal static class PolicyCommand
{
    public static Command Create(CliContext context, Dictionary<Command, string> examples)
    {
        var check = PolicyCheckCommand.Create(context);
        var simulate = PolicySimulateCommand.Create(context);
        var recommend = PolicyRecommendCommand.Create(context);
        var command = new Command("policy", "Audit policy (audit.k8s.io Policy): validate and lint it, simulate it over logs, recommend one from traffic.")
        {
            check, simulate, recommend,
        };
        examples[command] = string.Join(Environment.NewLine + Environment.NewLine,
            new[] { PolicyCheckCommand.Examples, PolicySimulateCommand.Examples, PolicyRecommendCommand.Examples }.Select(e => e.TrimEnd()));
        examples[check] = PolicyCheckCommand.Examples;
        examples[simulate] = PolicySimulateCommand.Examples;
        examples[recommend] = PolicyRecommendCommand.Examples;
        return command;
    }

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
