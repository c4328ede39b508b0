using System.CommandLine;
using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Writing;
using Auditrail.Detection.Rules;
using Auditrail.Storage;
using Auditrail.Storage.Queries;

namespace Auditrail.Cli.Commands.Query;

/// <summary>
/// <c>auditrail query who|changes|denied|timeline|alerts|event|sql</c>: the four questions asked of the
/// event store. Each verb calls one <see cref="IEventStore"/> method and prints its typed result.
/// </summary>
internal static class QueryCommand
{
    public const string Examples = """
          # Who touched the Secret db-password in prod, and with what result?
          auditrail query who --resource secrets --name db-password -n prod

          # Who exec'd into pods this week (resource/subresource; deployments.apps names a group)
          auditrail query who --resource pods/exec --since 2026-03-01T00:00:00Z

          # Every change in a window, grouped by identity
          auditrail query changes --since 2026-03-01T09:00:00Z --until 2026-03-01T10:00:00Z -o json

          # Refused requests (401, 403, authorization forbid) by identity and source address
          auditrail query denied --cluster prod-eu

          # One identity's or one address's requests, newest first
          auditrail query timeline --user alice@example.com
          auditrail query timeline --serviceaccount kube-system:replicaset-controller
          auditrail query timeline --ip 203.0.113.7 --limit 500

          # Stored alerts of high severity or above
          auditrail query alerts --severity high

          # The stored (redacted) event of a request
          auditrail query event 5a3c8f0e-2f7a-4d3b-9f36-1c2d3e4f5a6b

          # Anything else, read-only (one SELECT or WITH statement; tables: events, alerts)
          auditrail query sql "SELECT verb, count(*) FROM events GROUP BY verb ORDER BY 2 DESC"
        """;

    public static Command Create(CliContext context, Dictionary<Command, string> examples)
    {
        var command = new Command("query", $"Ask the event store: who touched what, what changed, what was refused, an identity's timeline, alerts, or SQL. Reads ./{StoreOptions.DefaultPath} unless --store says otherwise.");
        Command[] verbs = [CreateWho(context), CreateChanges(context), CreateDenied(context), CreateTimeline(context), CreateAlerts(context), CreateEvent(context), CreateSql(context)];
        foreach (var verb in verbs)
        {
            command.Subcommands.Add(verb);
            examples[verb] = Examples;
        }

        examples[command] = Examples;
        return command;
    }

    private static Command CreateWho(CliContext context)
    {
        var resource = new Option<string>("--resource") { Description = "Resource as the API names it: pods, deployments.apps, pods/exec (resource[.group][/subresource]).", Required = true };
        var name = new Option<string?>("--name") { Description = "Only this object." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Only this namespace." };
        var verb = new Option<string?>("--verb") { Description = "Only this verb (get, list, create, patch, delete, …)." };
        return Verb(context, "who", "Who touched a resource: when, from where, with what result (newest first).", [resource, name, ns, verb],
            (store, parseResult, window) =>
            {
                var rows = store.Who(new WhoQuery(parseResult.GetValue(resource)!) { Name = parseResult.GetValue(name), Namespace = parseResult.GetValue(ns), Verb = parseResult.GetValue(verb) }, window);
                return new Printer(w => QueryJson.WriteEvents(w, "requests", rows), () => QueryTables.WriteEvents(context, rows));
            });
    }

    private static Command CreateChanges(CliContext context) =>
        Verb(context, "changes", "Every mutating request (create, update, patch, delete, deletecollection) in the window, grouped by identity.", [],
            (store, _, window) =>
            {
                var groups = store.Changes(window);
                return new Printer(w => QueryJson.WriteChanges(w, groups), () => QueryTables.WriteChanges(context, groups));
            });

    private static Command CreateDenied(CliContext context) =>
        Verb(context, "denied", "Unauthenticated (401), forbidden (403) and authorization-denied requests, grouped by identity and source IP.", [],
            (store, _, window) =>
            {
                var groups = store.Denied(window);
                return new Printer(w => QueryJson.WriteDenied(w, groups), () => QueryTables.WriteDenied(context, groups));
            });

    private static Command CreateTimeline(CliContext context)
    {
        var user = new Option<string?>("--user") { Description = "A username as the apiserver records it." };
        var serviceAccount = new Option<string?>("--serviceaccount") { Description = "A service account as NAMESPACE:NAME." };
        var ip = new Option<string?>("--ip") { Description = "A source IP (the first of the event's sourceIPs)." };
        return Verb(context, "timeline", "The requests of one user, service account or source IP (exactly one), newest first.", [user, serviceAccount, ip],
            (store, parseResult, window) =>
            {
                var rows = store.Timeline(new TimelineQuery { User = parseResult.GetValue(user), ServiceAccount = parseResult.GetValue(serviceAccount), SourceIp = parseResult.GetValue(ip) }, window);
                return new Printer(w => QueryJson.WriteEvents(w, "requests", rows), () => QueryTables.WriteEvents(context, rows));
            });
    }

    private static Command CreateAlerts(CliContext context)
    {
        var rule = new Option<string?>("--rule") { Description = "Only this rule's alerts." };
        var severity = new Option<string?>("--severity") { Description = "Only alerts of this severity or higher (info, low, medium, high, critical)." };
        return Verb(context, "alerts", "Alerts stored by scan --store, newest first.", [rule, severity],
            (store, parseResult, window) =>
            {
                Severity? minimum = null;
                if (parseResult.GetValue(severity) is { } text)
                {
                    if (!SeverityNames.TryParse(text, out var parsed))
                    {
                        throw new UsageException($"unknown severity '{text}' (info, low, medium, high, critical)");
                    }

                    minimum = parsed;
                }

                var alerts = store.Alerts(new AlertQuery { Rule = parseResult.GetValue(rule), MinimumSeverity = minimum }, window);
                return new Printer(w => QueryJson.WriteAlerts(w, alerts), () => QueryTables.WriteAlerts(context, alerts));
            });
    }

    private static Command CreateEvent(CliContext context)
    {
        var auditId = new Argument<string>("auditID") { Description = "The request's auditID." };
        var store = StoreArguments.Store("read");
        var command = new Command("event", "Print the stored (redacted) event of a request as JSON.") { auditId, store };
        command.SetAction(parseResult =>
        {
            using var opened = StoreArguments.TryOpen(context, parseResult.GetValue(store)!, readOnly: true);
            if (opened is null)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            var id = parseResult.GetValue(auditId)!;
            if (opened.GetEvent(id) is not { } json)
            {
                context.Error.WriteLine($"error: no event with auditID {id} in {parseResult.GetValue(store)}");
                return ExitCodes.BadRecords;
            }

            context.Out.WriteLine(json);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateSql(CliContext context)
    {
        var sql = new Argument<string>("sql") { Description = "One read-only statement (SELECT or WITH …) over the tables events and alerts." };
        var store = StoreArguments.Store("read");
        var limit = new Option<int>("--limit") { Description = $"Rows at most (default {QueryWindow.DefaultLimit}).", DefaultValueFactory = _ => QueryWindow.DefaultLimit };
        var output = OutputOption.Create("default table");
        var command = new Command("sql", "Run a read-only SQL query on the store (the file is opened read-only; one SELECT or WITH statement).") { sql, store, limit, output };
        command.SetAction(parseResult =>
        {
            using var opened = StoreArguments.TryOpen(context, parseResult.GetValue(store)!, readOnly: true);
            if (opened is null)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            try
            {
                var result = opened.Sql(parseResult.GetValue(sql)!, Math.Max(1, parseResult.GetValue(limit)));
                Print(context, parseResult.GetValue(output) ?? OutputFormat.Table, new Printer(w => QueryJson.WriteSql(w, result), () => QueryTables.WriteSql(context, result)));
                return ExitCodes.Success;
            }
            catch (StoreException ex)
            {
                context.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.UsageOrUnusableInput;
            }
        });
        return command;
    }

    /// <summary>How one result is printed as a document (JSON or YAML) and as a table.</summary>
    private sealed record Printer(Action<Utf8JsonWriter> WriteBody, Action WriteTable);

    /// <summary>A bad value found while running (the option parsed, but means nothing).</summary>
    private sealed class UsageException(string message) : Exception(message);

    /// <summary>A query verb: the shared store and window options, the verb's own, then one store call.</summary>
    private static Command Verb(CliContext context, string name, string description, Option[] own, Func<IEventStore, ParseResult, QueryWindow, Printer> run)
    {
        var store = StoreArguments.Store("read");
        var window = new StoreArguments.WindowOptions();
        var output = OutputOption.Create("default table");
        var command = new Command(name, description);
        foreach (var option in own)
        {
            command.Options.Add(option);
        }

        window.AddTo(command);
        command.Options.Add(store);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            if (window.TryRead(context, parseResult) is not { } range)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            using var opened = StoreArguments.TryOpen(context, parseResult.GetValue(store)!, readOnly: true);
            if (opened is null)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            try
            {
                Print(context, parseResult.GetValue(output) ?? OutputFormat.Table, run(opened, parseResult, range));
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is StoreException or UsageException)
            {
                context.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.UsageOrUnusableInput;
            }
        });
        return command;
    }

    private static void Print(CliContext context, OutputFormat format, Printer printer)
    {
        if (format == OutputFormat.Table)
        {
            printer.WriteTable();
            return;
        }

        StructuredOutput.Write(context, format, writer =>
        {
            writer.WriteStartObject();
            printer.WriteBody(writer);
            writer.WriteEndObject();
        });
    }

    internal static string Time(DateTimeOffset? time) => time is { } t ? AuditEventJsonWriter.FormatTime(t) : string.Empty;
}
