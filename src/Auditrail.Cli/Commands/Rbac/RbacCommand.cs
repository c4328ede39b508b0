using System.CommandLine;
using Auditrail.Cli.Hosting;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary><c>auditrail rbac can-i|who-can|risks</c>: RBAC with the apiserver's semantics, offline or from a cluster.</summary>
internal static class RbacCommand
{
    public static Command Create(CliContext context, Dictionary<Command, string> examples)
    {
        var canI = RbacCanICommand.Create(context);
        var whoCan = RbacWhoCanCommand.Create(context);
        var risks = RbacRisksCommand.Create(context);
        var leastPrivilege = RbacLeastPrivilegeCommand.Create(context);
        var unused = RbacUnusedCommand.Create(context);
        var command = new Command("rbac", "RBAC (Roles, ClusterRoles and their bindings) with the apiserver's semantics: check a request, list who may make it, find risky grants, generate least-privilege roles from audit logs and find the grants the logs never used.")
        {
            canI, whoCan, risks, leastPrivilege, unused,
        };
        examples[command] = string.Join(Environment.NewLine + Environment.NewLine,
            new[] { RbacCanICommand.Examples, RbacWhoCanCommand.Examples, RbacRisksCommand.Examples, RbacLeastPrivilegeCommand.Examples, RbacUnusedCommand.Examples }.Select(e => e.TrimEnd()));
        examples[canI] = RbacCanICommand.Examples;
        examples[whoCan] = RbacWhoCanCommand.Examples;
        examples[risks] = RbacRisksCommand.Examples;
        examples[leastPrivilege] = RbacLeastPrivilegeCommand.Examples;
        examples[unused] = RbacUnusedCommand.Examples;
        return command;
    }
}
