using Auditrail.Cli.Output;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary>kubectl-style columns sized to their content (the rbac verbs print hundreds of rows, not millions).</summary>
internal static class RbacTable
{
    private const int MaxColumnWidth = 70;

    public static void Write(TextWriter output, string[] headers, IReadOnlyList<string[]> rows)
    {
        var columns = headers
            .Select((header, i) => (header, Math.Min(MaxColumnWidth, rows.Select(r => r[i].Length).Append(header.Length).Max())))
            .ToArray();
        var table = new StreamingTable(output, columns);
        foreach (var row in rows)
        {
            table.WriteRow(row);
        }
    }
}
