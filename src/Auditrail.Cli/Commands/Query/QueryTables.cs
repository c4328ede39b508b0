using System.Globalization;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Storage.Queries;

namespace Auditrail.Cli.Commands.Query;

/// <summary>The query results as plain tables, like <c>kubectl get</c>.</summary>
internal static class QueryTables
{
    public static void WriteEvents(CliContext context, IReadOnlyList<EventSummary> rows)
    {
        if (rows.Count == 0)
        {
            context.Error.WriteLine("no matching events");
            return;
        }

        var table = new StreamingTable(context.Out, ("TIME", 27), ("USER", 40), ("KIND", 14), ("SOURCE IP", 15), ("VERB", 10), ("CODE", 4), ("DECISION", 8), ("TARGET", 0));
        foreach (var row in rows)
        {
            table.WriteRow(QueryCommand.Time(row.Time), Identity(row), row.UserKind, row.SourceIp, row.Verb,
                row.Code?.ToString(CultureInfo.InvariantCulture), row.Decision, Target(row));
        }
    }

    public static void WriteChanges(CliContext context, IReadOnlyList<IdentityChanges> groups)
    {
        if (groups.Count == 0)
        {
            context.Error.WriteLine("no changes in the window");
            return;
        }

        foreach (var group in groups)
        {
            context.Out.WriteLine($"{group.User ?? "(unauthenticated)"} ({group.UserKind}): {group.Total:N0} changes, {QueryCommand.Time(group.First)} .. {QueryCommand.Time(group.Last)}");
            var table = new StreamingTable(context.Out, ("  TIME", 29), ("VERB", 16), ("CODE", 4), ("SOURCE IP", 15), ("TARGET", 0));
            foreach (var row in group.Requests)
            {
                table.WriteRow("  " + QueryCommand.Time(row.Time), row.Verb, row.Code?.ToString(CultureInfo.InvariantCulture), row.SourceIp, Target(row));
            }

            if (group.Requests.Count < group.Total)
            {
                context.Out.WriteLine($"  … {group.Total - group.Requests.Count:N0} more (raise --limit or narrow the window)");
            }

            context.Out.WriteLine();
        }
    }

    public static void WriteDenied(CliContext context, IReadOnlyList<DeniedGroup> groups)
    {
        if (groups.Count == 0)
        {
            context.Error.WriteLine("no refused requests in the window");
            return;
        }

        var table = new StreamingTable(context.Out, ("USER", 40), ("KIND", 14), ("SOURCE IP", 15), ("COUNT", 7), ("401", 6), ("403", 6), ("LAST", 27), ("TARGETS", 0));
        foreach (var group in groups)
        {
            table.WriteRow(group.User ?? "(unauthenticated)", group.UserKind, group.SourceIp, N(group.Count), N(group.Unauthorized), N(group.Forbidden),
                QueryCommand.Time(group.Last), string.Join(", ", group.Targets));
        }
    }

    public static void WriteAlerts(CliContext context, IReadOnlyList<StoredAlert> alerts)
    {
        if (alerts.Count == 0)
        {
            context.Error.WriteLine("no matching alerts");
            return;
        }

        var table = new StreamingTable(context.Out, ("TIME", 27), ("SEVERITY", 8), ("RULE", 32), ("IDENTITY", 40), ("SOURCE IP", 15), ("MESSAGE", 0));
        foreach (var alert in alerts)
        {
            table.WriteRow(QueryCommand.Time(alert.Time), alert.Severity, alert.Rule, alert.Impersonator is null ? alert.Identity : $"{alert.Impersonator} as {alert.Identity}",
                alert.SourceIp, alert.Message.ReplaceLineEndings(" "));
        }
    }

    public static void WriteSql(CliContext context, SqlResult result)
    {
        var columns = result.Columns.Select((c, i) => (c, i == result.Columns.Count - 1 ? 0 : Math.Clamp(Width(result, i, c), 4, 40))).ToArray();
        var table = new StreamingTable(context.Out, columns);
        foreach (var row in result.Rows)
        {
            table.WriteRow([.. row.Select(v => QueryJson.Text(v)?.ReplaceLineEndings(" "))]);
        }

        if (result.Rows.Count == 0)
        {
            context.Out.WriteLine(string.Join("  ", result.Columns));
        }

        if (result.Truncated)
        {
            context.Error.WriteLine($"(only the first {result.Rows.Count:N0} rows; raise --limit for more)");
        }
    }

    private static int Width(SqlResult result, int column, string header) =>
        Math.Max(header.Length, result.Rows.Select(r => QueryJson.Text(r[column])?.Length ?? 0).DefaultIfEmpty(0).Max());

    /// <summary>The user, or "user as impersonated" as alerts show it.</summary>
    private static string? Identity(EventSummary row) => row.ImpersonatedUser is { } target ? $"{row.User} as {target}" : row.User;

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary><c>namespace/resource/name[/subresource]</c> like alerts show it, or the request URI for non-resource requests.</summary>
    private static string? Target(EventSummary row)
    {
        if (row.Resource is null)
        {
            return row.RequestUri;
        }

        var resource = row.ApiGroup is { Length: > 0 } group ? $"{row.Resource}.{group}" : row.Resource;
        var path = string.Join('/', new[] { row.Namespace, resource, row.Name, row.Subresource }.Where(p => !string.IsNullOrEmpty(p)));
        return path;
    }
}
