using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Rbac.Loading;
using Auditrail.Rbac.Model;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary>The RBAC a command works on, and whether reading it rejected anything.</summary>
internal sealed record LoadedRbac(RbacSnapshot Snapshot, bool HadErrors);

/// <summary>
/// <c>--rbac FILE|DIR</c> (repeatable) or <c>--kubeconfig PATH</c> and/or <c>--context NAME</c>, shared by every
/// rbac verb. Diagnostics go to stderr; objects of other kinds are summed up in one note rather than
/// one line each, because a full <c>kubectl get all -o yaml</c> dump has thousands.
/// </summary>
internal sealed class RbacInput
{
    private readonly Option<string[]> _rbac = new("--rbac")
    {
        Description = "Roles, ClusterRoles, bindings and ServiceAccounts as YAML or JSON: files (multi-document, kind: List, kubectl get -o yaml|json) or directories (read recursively). Repeatable.",
        HelpName = "FILE|DIR",
    };

    // PATH is required: an optional value would swallow the verb that follows (--kubeconfig get pods).
    private readonly Option<string?> _kubeconfig = new("--kubeconfig")
    {
        Description = "Read RBAC from a live cluster through this kubeconfig. Needs list on roles, clusterroles, their bindings and serviceaccounts.",
        HelpName = "PATH",
    };

    private readonly Option<string?> _context = new("--context")
    {
        Description = "Read RBAC from a live cluster through this kubeconfig context (kubeconfig: --kubeconfig, else $KUBECONFIG or ~/.kube/config; default context: the current one).",
        HelpName = "NAME",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_rbac);
        command.Options.Add(_kubeconfig);
        command.Options.Add(_context);
    }

    /// <summary>Whether the command line names any RBAC (for verbs where it is optional).</summary>
    public bool IsGiven(ParseResult parseResult) =>
        (parseResult.GetValue(_rbac) ?? []).Length > 0 || parseResult.GetResult(_kubeconfig) is not null || parseResult.GetResult(_context) is not null;

    /// <summary>Loads the RBAC, or returns null (after saying why on stderr) when there is none to work on.</summary>
    public async Task<LoadedRbac?> LoadAsync(ParseResult parseResult, CliContext context, CancellationToken cancellationToken)
    {
        var paths = parseResult.GetValue(_rbac) ?? [];
        var fromCluster = parseResult.GetResult(_kubeconfig) is not null || parseResult.GetResult(_context) is not null;
        if (paths.Length > 0 == fromCluster)
        {
            context.Error.WriteLine(fromCluster
                ? "error: give either --rbac or --kubeconfig/--context, not both"
                : "error: say where the RBAC comes from: --rbac FILE|DIR (repeatable), or --kubeconfig PATH and/or --context NAME for a live cluster");
            return null;
        }

        var result = fromCluster
            ? await ClusterRbacSource.LoadAsync(parseResult.GetValue(_kubeconfig), parseResult.GetValue(_context), cancellationToken).ConfigureAwait(false)
            : RbacLoader.LoadPaths(paths);
        Report(context, result.Diagnostics);

        var snapshot = result.Snapshot;
        if (!snapshot.AllRoles.Any() && !snapshot.AllBindings.Any())
        {
            context.Error.WriteLine("error: no Role, ClusterRole or binding was loaded");
            return null;
        }

        return new LoadedRbac(snapshot, result.HasErrors);
    }

    private static void Report(CliContext context, IReadOnlyList<RbacDiagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics.Where(d => d.Severity != RbacDiagnosticSeverity.Info))
        {
            context.Error.WriteLine(diagnostic.ToString());
        }

        var skipped = diagnostics.Where(d => d.Severity == RbacDiagnosticSeverity.Info).ToList();
        if (skipped.Count > 0)
        {
            context.Error.WriteLine($"note: {skipped.Count} object(s) of other kinds skipped, the first at {skipped[0].Location} ({skipped[0].Message})");
        }
    }
}
