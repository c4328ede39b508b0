using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Rbac.Authorization;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary><c>auditrail rbac who-can</c>: every subject allowed to make a request, with the granting binding and role.</summary>
internal static class RbacWhoCanCommand
{
    public const string Examples = """
          # Who can read Secrets in kube-system?
          auditrail rbac who-can --rbac rbac/ get secrets -n kube-system

          # Who can exec into pods in at least one namespace (RoleBindings of every namespace too)?
          auditrail rbac who-can --rbac rbac/ create pods/exec -A

          # Who can reach /metrics, from a live cluster, as JSON
          auditrail rbac who-can --kubeconfig ~/.kube/config get /metrics -o json
        """;

    public static Command Create(CliContext context)
    {
        var input = new RbacInput();
        var requestArguments = new RequestArguments();
        var allNamespaces = new Option<bool>("--all-namespaces", "-A") { Description = "Whoever may make the request in at least one namespace: ClusterRoleBindings and every namespace's RoleBindings." };
        var output = OutputOption.Create("default table: one row per subject, binding and rule");
        var command = new Command("who-can", "List every subject (user, group, service account) allowed to make a request, with the binding, role and rule that allow it. Without -n or -A, only ClusterRoleBindings count, as for a cluster-scoped request.")
        {
            allNamespaces, output,
        };
        requestArguments.AddTo(command);
        input.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var loaded = await input.LoadAsync(parseResult, context, cancellationToken).ConfigureAwait(false);
            if (loaded is null || requestArguments.Build(parseResult, loaded.Snapshot, context) is not { } request)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            var authorizer = new RbacAuthorizer(loaded.Snapshot);
            var anyNamespace = parseResult.GetValue(allNamespaces);
            if (anyNamespace && request.Namespace.Length > 0)
            {
                context.Error.WriteLine("error: give -n NS or -A, not both");
                return ExitCodes.UsageOrUnusableInput;
            }

            var grants = anyNamespace && !RequestArguments.IsClusterScoped(request) ? authorizer.WhoCanInAnyNamespace(request) : authorizer.WhoCan(request);
            Write(context, anyNamespace ? $"{request} in any namespace" : request.ToString(), request, grants, parseResult.GetValue(output) ?? OutputFormat.Table);
            return loaded.HadErrors ? ExitCodes.BadRecords : ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, string question, RequestAttributes request, IReadOnlyList<RbacGrant> grants, OutputFormat format)
    {
        var ordered = grants.OrderBy(g => g.Subject.Kind).ThenBy(g => g.SubjectText, StringComparer.Ordinal).ThenBy(g => g.Binding.DisplayName, StringComparer.Ordinal).ToList();
        if (format == OutputFormat.Table)
        {
            var rows = ordered.Select(g => new[] { g.SubjectText, g.Binding.DisplayName, g.Role.DisplayName, $"rules[{g.RuleIndex}] {g.Rule}" }).ToList();
            RbacTable.Write(context.Out, ["SUBJECT", "BINDING", "ROLE", "RULE"], rows);
            context.Out.WriteLine($"{ordered.Select(g => g.SubjectText).Distinct().Count()} subject(s) can {question}");
            return;
        }

        StructuredOutput.Write(context, format, writer =>
        {
            writer.WriteStartObject();
            RbacJson.WriteRequest(writer, request);
            writer.WriteStartArray("subjects");
            foreach (var grant in ordered)
            {
                writer.WriteStartObject();
                RbacJson.WriteGrant(writer, grant);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }
}
