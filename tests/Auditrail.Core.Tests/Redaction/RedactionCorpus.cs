using System.Text.Json;
using Auditrail.Core.Tests.Support;

namespace Auditrail.Core.Tests.Redaction;

/// <summary>The JSON-lines test corpus: real audit logs plus our fabricated worst cases.</summary>
internal static class RedactionCorpus
{
    public static string FixturePath => TestData.Path("redaction", "secret-events.jsonl");

    public static IEnumerable<string> Files() =>
    [
        .. Directory.GetFiles(TestData.FalcoTraces, "*.json").Order(StringComparer.Ordinal),
        TestData.Path("audit2rbac", "demo.log"),
        .. Directory.GetFiles(TestData.Path("audit-logs"), "*.jsonl").Order(StringComparer.Ordinal),
        FixturePath,
    ];

    /// <summary>Every line that parses as a JSON object; malformed lines (fal_01_003.json) are skipped.</summary>
    public static IEnumerable<(string File, int Line, string Json)> Events(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                if (IsJsonObject(line))
                {
                    yield return (Path.GetRelativePath(TestData.Root, file), lineNumber, line);
                }
            }
        }
    }

    private static bool IsJsonObject(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
