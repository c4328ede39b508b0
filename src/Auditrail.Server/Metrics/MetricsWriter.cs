using System.Globalization;
using System.Text;

namespace Auditrail.Server.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): one <c># HELP</c> and <c># TYPE</c>
/// per family, then its samples. Samples of one family must be written together; a family name seen
/// again later in the same scrape is an error, because Prometheus rejects such a page. Names are
/// checked as they are written, so a bad name fails the source that wrote it rather than the scrape.
/// </summary>
public sealed class MetricsWriter
{
    private readonly StringBuilder _text = new();
    private readonly List<string> _familyOrder = [];
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private string? _current;

    /// <summary>A monotonically increasing count; the name should end in <c>_total</c>.</summary>
    public void Counter(string name, string help, double value, params ReadOnlySpan<(string Name, string Value)> labels) =>
        Sample("counter", name, help, value, labels);

    /// <summary>A value that goes up and down (queue depth, keys held).</summary>
    public void Gauge(string name, string help, double value, params ReadOnlySpan<(string Name, string Value)> labels) =>
        Sample("gauge", name, help, value, labels);

    /// <summary>
    /// A histogram family: <c>_bucket</c> samples with cumulative counts per <c>le</c> bound, then
    /// <c>_sum</c> and <c>_count</c>. Several label sets may follow one another under one family.
    /// </summary>
    public void Histogram(string name, string help, HistogramSnapshot snapshot, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        StartFamily("histogram", name, help);
        var withBound = new (string Name, string Value)[labels.Length + 1];
        labels.CopyTo(withBound);
        for (var i = 0; i < snapshot.CumulativeCounts.Count; i++)
        {
            withBound[^1] = ("le", i < snapshot.UpperBounds.Count ? Format(snapshot.UpperBounds[i]) : "+Inf");
            WriteSample(name + "_bucket", snapshot.CumulativeCounts[i], withBound);
        }

        WriteSample(name + "_sum", snapshot.Sum, labels);
        WriteSample(name + "_count", snapshot.Count, labels);
    }

    /// <summary>The page written so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>Where the page stands, to undo a source that failed halfway (<see cref="Rollback"/>).</summary>
    internal (int Length, int Families) Mark() => (_text.Length, _familyOrder.Count);

    /// <summary>Forgets everything written since <paramref name="mark"/>, families included.</summary>
    internal void Rollback((int Length, int Families) mark)
    {
        _text.Length = mark.Length;
        for (var i = _familyOrder.Count - 1; i >= mark.Families; i--)
        {
            _families.Remove(_familyOrder[i]);
            _familyOrder.RemoveAt(i);
        }

        _current = _familyOrder.Count > 0 ? _familyOrder[^1] : null;
    }

    private void Sample(string type, string name, string help, double value, ReadOnlySpan<(string Name, string Value)> labels)
    {
        StartFamily(type, name, help);
        WriteSample(name, value, labels);
    }

    /// <summary>Writes HELP and TYPE when <paramref name="name"/> starts a family; nothing when it continues the current one.</summary>
    private void StartFamily(string type, string name, string help)
    {
        if (string.Equals(_current, name, StringComparison.Ordinal))
        {
            return;
        }

        CheckName(name, metric: true);
        if (!_families.Add(name))
        {
            throw new InvalidOperationException($"metric family {name} was already written earlier in this scrape; write a family's samples together");
        }

        _familyOrder.Add(name);
        _current = name;
        _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    private void WriteSample(string sampleName, double value, ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(sampleName);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                CheckName(labels[i].Name, metric: false);
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

    /// <summary>
    /// Metric names are <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>; label names the same without colons, and
    /// <c>__</c> prefixes are Prometheus's own.
    /// </summary>
    private static void CheckName(string name, bool metric)
    {
        var valid = !string.IsNullOrEmpty(name) && !char.IsAsciiDigit(name[0]) && (metric || !name.StartsWith("__", StringComparison.Ordinal));
        foreach (var c in name ?? string.Empty)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c == '_' || (metric && c == ':');
        }

        if (!valid)
        {
            throw new ArgumentException($"'{name}' is not a valid Prometheus {(metric ? "metric" : "label")} name", nameof(name));
        }
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
