namespace Auditrail.Cli.Output;

/// <summary>
/// A plain-text table written row by row with fixed column widths, like <c>kubectl get</c> but without
/// holding every row first: <c>auditrail read -o table</c> may print millions of events.
/// </summary>
public sealed class StreamingTable(TextWriter output, params (string Header, int Width)[] columns)
{
    private bool _headerWritten;

    public void WriteRow(params string?[] cells)
    {
        if (!_headerWritten)
        {
            Write(columns.Select(c => c.Header).ToArray());
            _headerWritten = true;
        }

        Write(cells);
    }

    private void Write(string?[] cells)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            var text = cells[i] ?? string.Empty;
            var last = i == columns.Length - 1;
            if (last)
            {
                output.Write(text);
                break;
            }

            var width = columns[i].Width;
            output.Write(text.Length > width ? string.Concat(text.AsSpan(0, width - 1), "…") : text.PadRight(width));
            output.Write("  ");
        }

        output.WriteLine();
    }
}
