using System.Globalization;
using System.Text;

namespace Auditrail.Server.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): one <c># HELP</c> and <c># TYPE</c>
/// per family, then its samples. Samples of one family must be written together; a family name seen
/// again later in the same scrape is an error, because Prometheus rejects such a page.
/// </summary>
public sealed class MetricsWriter
{
    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private string? _current;

    /// <summary>A monotonically increasing count; the name should end in <c>_total</c>.</summary>
    public void Counter(string name, string help, double value, params ReadOnlySpan<(string Name, string Value)> labels) =>
        Sample("counter", name, help, value, labels);

    /// <summary>A value that goes up and down (queue depth, keys held).</summary>
    public void Gauge(string name, string help, double value, params ReadOnlySpan<(string Name, string Value)> labels) =>
        Sample("gauge", name, help, value, labels);

    public override string ToString() => _text.ToString();

    private void Sample(string type, string name, string help, double value, ReadOnlySpan<(string Name, string Value)> labels)
    {
        if (!string.Equals(_current, name, StringComparison.Ordinal))
        {
            if (!_families.Add(name))
            {
                throw new InvalidOperationException($"metric family {name} was already written earlier in this scrape; write a family's samples together");
            }

            _current = name;
            _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }

        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
