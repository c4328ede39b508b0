using System.Text;
using System.Text.Json;

namespace Auditrail.LogGenerator.Tests;

/// <summary>A generated log kept as bytes, lines and parsed events, read back independently of the generator.</summary>
public sealed class GeneratedLog
{
    private GeneratedLog(byte[] bytes, string labels, GeneratorStats stats)
    {
        Bytes = bytes;
        Stats = stats;
        Lines = SplitLines(bytes);
        Events = Lines.Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Labels = labels.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(label => label.GetProperty("auditID").GetString()!, label => label);
    }

    public byte[] Bytes { get; }

    public IReadOnlyList<byte[]> Lines { get; }

    public IReadOnlyList<JsonElement> Events { get; }

    /// <summary>Attack ground truth by auditID.</summary>
    public IReadOnlyDictionary<string, JsonElement> Labels { get; }

    public GeneratorStats Stats { get; }

    public static GeneratedLog Generate(GeneratorOptions options, long events)
    {
        var generator = new AuditLogGenerator(options);
        using var output = new MemoryStream();
        using var labels = new MemoryStream();
        generator.Write(output, events, labels);
        return new GeneratedLog(output.ToArray(), Encoding.UTF8.GetString(labels.ToArray()), generator.Stats);
    }

    public bool IsAttack(JsonElement e) => Labels.ContainsKey(e.GetProperty("auditID").GetString()!);

    public IEnumerable<JsonElement> AttacksOf(AttackKind kind) =>
        Events.Where(e => Labels.TryGetValue(e.GetProperty("auditID").GetString()!, out var label)
            && label.GetProperty("attack").GetString() == kind.ToString());

    private static List<byte[]> SplitLines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        Assert.Equal(bytes.Length, start);
        return lines;
    }
}

/// <summary>Logs shared by the tests; generating them once keeps the suite quick.</summary>
public static class Samples
{
    /// <summary>A Monday morning with a raised attack and panic share, so every kind of traffic shows up.</summary>
    public static GeneratorOptions WorkdayOptions { get; } = new()
    {
        Seed = 42,
        Start = new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero),
        AttackShare = 0.05,
        PanicShare = 0.001,
    };

    private static readonly Lazy<GeneratedLog> LazyWorkday = new(() => GeneratedLog.Generate(WorkdayOptions, 60_000));
    private static readonly Lazy<GeneratedLog> LazyMidnight = new(() => GeneratedLog.Generate(new GeneratorOptions(), 20_000));

    private static readonly Lazy<GeneratedLog> LazySmallCluster = new(() => GeneratedLog.Generate(
        new GeneratorOptions { Seed = 5, Namespaces = 2, WorkerNodes = 4, Humans = 3, Start = WorkdayOptions.Start }, 20_000));

    public static GeneratedLog Workday => LazyWorkday.Value;

    /// <summary>Two application namespaces, so the full-body namespace gets half of the application writes.</summary>
    public static GeneratedLog SmallCluster => LazySmallCluster.Value;

    /// <summary>The defaults: seed 1, 2026-01-01T00:00:00Z, 1% attacks.</summary>
    public static GeneratedLog Midnight => LazyMidnight.Value;
}

internal static class JsonElementExtensions
{
    public static string? Str(this JsonElement e, string property) =>
        e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static JsonElement? Obj(this JsonElement e, string property) =>
        e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    public static int? Code(this JsonElement e) =>
        e.Obj("responseStatus") is { } status && status.TryGetProperty("code", out var code) ? code.GetInt32() : null;

    public static string? Resource(this JsonElement e) => e.Obj("objectRef")?.Str("resource");

    public static string? Subresource(this JsonElement e) => e.Obj("objectRef")?.Str("subresource");

    public static string? Username(this JsonElement e) => e.GetProperty("user").Str("username");
}
