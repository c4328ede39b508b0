using System.CommandLine;
using Auditrail.Cli.Hosting;

namespace Auditrail.Cli.Commands.Policy;

/// <summary><c>auditrail policy recommend</c>: a policy tailored to observed traffic and to what the rules need.</summary>
internal static class PolicyRecommendCommand
{
    public const string Examples = """
          # A policy for this cluster's traffic that keeps what the default pack needs
          auditrail policy recommend /var/log/kubernetes/audit/ --out audit-policy.yaml
        """;

    public static Command Create(CliContext context)
    {
        var command = new Command("recommend", "Write an audit policy tailored to observed traffic.");
        command.SetAction(_ => ExitCodes.UsageOrUnusableInput);
        return command;
    }
}
