using System.CommandLine;
using Auditrail.Cli.Hosting;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary><c>auditrail rbac can-i|who-can|risks|least-privilege|unused</c>: RBAC with the apiserver's semantics, offline or from a cluster.</summary>
internal static class RbacCommand
{
    public static Command Create(CliContext context, Dictionary<Command, string> examples) => CommandGroup.Create(
        "rbac",
        "RBAC (Roles, ClusterRoles and their bindings) with the apiserver's semantics: check a request, list who may make it, find risky grants, generate least-privilege roles from audit logs, find the grants the logs never show used.",
        examples,
        (RbacCanICommand.Create(context), RbacCanICommand.Examples),
        (RbacWhoCanCommand.Create(context), RbacWhoCanCommand.Examples),
        (RbacRisksCommand.Create(context), RbacRisksCommand.Examples),
        (RbacLeastPrivilegeCommand.Create(context), RbacLeastPrivilegeCommand.Examples),
        (RbacUnusedCommand.Create(context), RbacUnusedCommand.Examples));
}
