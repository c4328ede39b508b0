using System.Globalization;
using System.Text;

namespace Auditrail.Server.Tests.Metrics;

/// <summary>One sample read back from an exposition page.</summary>
internal sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4, as a check on what the server writes: every
/// family has one HELP and one TYPE before its samples, a family's lines are contiguous, names and
/// label syntax are valid, escapes are only <c>\\</c>, <c>\"</c> and <c>\n</c>, and values are floats.
/// </summary>
internal static class ExpositionFormat
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyList<MetricSample> Parse(string page)
    {
        Assert.EndsWith("\n", page, StringComparison.Ordinal);
        var samples = new List<MetricSample>();
        var help = new HashSet<string>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;

        void Enter(string family, int lineNumber)
        {
            if (family == current)
            {
                return;
            }

            if (current is not null)
            {
                finished.Add(current);
            }

            Assert.False(finished.Contains(family), $"line {lineNumber}: family {family} appears again after other families");
            current = family;
        }

        var lines = page[..^1].Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var number = i + 1;
            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var rest = line[7..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                Assert.True(space > 0, $"line {number}: '{line}' has no text after the name");
                var family = rest[..space];
                AssertName(family, metric: true, number);
                Enter(family, number);
                if (line[2] == 'H')
                {
                    Assert.True(help.Add(family), $"line {number}: second HELP for {family}");
                    AssertEscapes(rest[(space + 1)..], "\\n", number);
                }
                else
                {
                    Assert.True(types.TryAdd(family, rest[(space + 1)..]), $"line {number}: second TYPE for {family}");
                    Assert.Contains(rest[(space + 1)..], Types);
                }

                continue;
            }

            Assert.False(line.Length == 0, $"line {number} is empty");
            if (line[0] == '#')
            {
                continue;
            }

            var sample = ParseSample(line, number);
            var owner = FamilyOf(sample.Name, types);
            Enter(owner, number);
            Assert.True(types.ContainsKey(owner), $"line {number}: sample of {sample.Name} before its TYPE");
            if (types[owner] == "histogram")
            {
                Assert.True(sample.Name != owner, $"line {number}: a histogram sample needs _bucket, _sum or _count");
                Assert.True(sample.Name != owner + "_bucket" || sample.Labels.ContainsKey("le"), $"line {number}: a bucket without le");
            }

            samples.Add(sample);
        }

        return samples;
    }

    /// <summary>The value of the one sample of <paramref name="name"/> with exactly these labels.</summary>
    public static double Value(this IReadOnlyList<MetricSample> samples, string name, params (string Name, string Value)[] labels) =>
        Assert.Single(samples, s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Value;

    /// <summary>A histogram's <c>_bucket</c>, <c>_sum</c> and <c>_count</c> samples belong to the family without the suffix.</summary>
    private static string FamilyOf(string sample, Dictionary<string, string> types)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(sample[..^suffix.Length], out var type) && type == "histogram")
            {
                return sample[..^suffix.Length];
            }
        }

        return sample;
    }

    private static MetricSample ParseSample(string line, int number)
    {
        var position = 0;
        while (position < line.Length && line[position] is not ('{' or ' '))
        {
            position++;
        }

        var name = line[..position];
        AssertName(name, metric: true, number);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (line[position] != '}')
            {
                var equals = line.IndexOf('=', position);
                var label = line[position..equals];
                AssertName(label, metric: false, number);
                Assert.Equal('"', line[equals + 1]);
                position = equals + 2;
                var value = new StringBuilder();
                while (line[position] != '"')
                {
                    if (line[position] == '\\')
                    {
                        position++;
                        value.Append(line[position] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new Xunit.Sdk.XunitException($"line {number}: invalid escape \\{other}"),
                        });
                    }
                    else
                    {
                        value.Append(line[position]);
                    }

                    position++;
                }

                Assert.True(labels.TryAdd(label, value.ToString()), $"line {number}: label {label} twice");
                position++;
                if (line[position] == ',')
                {
                    position++;
                }
            }

            position++;
        }

        Assert.Equal(' ', line[position]);
        var parts = line[(position + 1)..].Split(' ');
        Assert.InRange(parts.Length, 1, 2);
        var parsed = parts[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var text => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new MetricSample(name, labels, parsed);
    }

    private static void AssertName(string name, bool metric, int number)
    {
        var valid = name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || (metric && c == ':'));
        Assert.True(valid, $"line {number}: '{name}' is not a valid {(metric ? "metric" : "label")} name");
    }

    private static void AssertEscapes(string text, string allowed, int number)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                Assert.True(i < text.Length && (text[i] == '\\' || allowed.Contains(text[i], StringComparison.Ordinal)), $"line {number}: invalid escape in HELP");
            }
        }
    }
}
