using System.CommandLine;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Rbac.Authorization;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary><c>auditrail rbac can-i</c>: kubectl auth can-i, offline, naming what grants it.</summary>
internal static class RbacCanICommand
{
    public const string Examples = """
          # May the scheduler bind pods? Prints yes and the binding, role and rule that allow it
          auditrail rbac can-i --rbac rbac/ --as system:kube-scheduler create pods/binding -n default

          # A service account, with the groups its token carries added automatically
          auditrail rbac can-i --rbac rbac/ --as system:serviceaccount:ci:deployer patch deployments.apps web -n prod

          # A user in a group, against a live cluster; exit code 0 for yes, 1 for no
          auditrail rbac can-i --context prod --as alice --as-group dev-team list secrets -n dev

          # A non-resource URL
          auditrail rbac can-i --rbac rbac/ --as system:anonymous get /healthz
        """;

    public static Command Create(CliContext context)
    {
        var input = new RbacInput();
        var requestArguments = new RequestArguments();
        var @as = new Option<string>("--as") { Description = "The username to check (a service account is system:serviceaccount:NS:NAME).", Required = true, HelpName = "USER" };
        var groups = new Option<string[]>("--as-group") { Description = "A group the user is in (repeatable).", HelpName = "GROUP" };
        var noImplied = new Option<bool>("--no-implied-groups")
        {
            Description = "Do not add the groups the apiserver's authenticators add (system:authenticated; for service accounts system:serviceaccounts and system:serviceaccounts:NS; system:unauthenticated for system:anonymous).",
        };
        var output = OutputOption.Create("default table: yes or no, then each grant");
        var command = new Command("can-i", "Check whether a user may make a request, as kubectl auth can-i but offline, and name every binding, role and rule that allows it. Exit code 0 yes, 1 no.")
        {
            @as, groups, noImplied, output,
        };
        requestArguments.AddTo(command);
        input.AddTo(command);
        ExitCodeHelp.Set(command, "Exit codes: 0 yes, 1 no (as kubectl auth can-i), 2 usage error or no RBAC could be loaded.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var loaded = await input.LoadAsync(parseResult, context, cancellationToken).ConfigureAwait(false);
            if (loaded is null)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            var request = requestArguments.Build(parseResult, loaded.Snapshot, context);
            if (request is null)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            request = request.As(parseResult.GetValue(@as)!, parseResult.GetValue(groups) ?? []);
            if (!parseResult.GetValue(noImplied))
            {
                request = request.WithImpliedGroups();
            }

            return Run(context, new RbacAuthorizer(loaded.Snapshot).Authorize(request), request, parseResult.GetValue(output) ?? OutputFormat.Table);
        });
        return command;
    }

    private static int Run(CliContext context, AuthorizationResult result, RequestAttributes request, OutputFormat format)
    {
        foreach (var problem in result.Problems)
        {
            context.Error.WriteLine($"note: {problem}");
        }

        if (format == OutputFormat.Table)
        {
            context.Out.WriteLine(result.Allowed ? "yes" : "no");
            foreach (var grant in result.Grants)
            {
                context.Out.WriteLine($"  {grant.Binding.DisplayName} → {grant.Role.DisplayName} rules[{grant.RuleIndex}] as {grant.SubjectText}: {grant.Rule}");
            }
        }
        else
        {
            StructuredOutput.Write(context, format, writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("allowed", result.Allowed);
                writer.WriteString("user", request.User);
                RbacJson.WriteStrings(writer, "groups", request.Groups);
                RbacJson.WriteRequest(writer, request);
                writer.WriteStartArray("grants");
                foreach (var grant in result.Grants)
                {
                    writer.WriteStartObject();
                    RbacJson.WriteGrant(writer, grant);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                RbacJson.WriteStrings(writer, "problems", result.Problems);
                writer.WriteEndObject();
            });
        }

        // As kubectl auth can-i: 0 for yes, 1 for no.
        return result.Allowed ? ExitCodes.Success : ExitCodes.BadRecords;
    }
}
