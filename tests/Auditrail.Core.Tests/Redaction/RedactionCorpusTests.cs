using System.Text;
using System.Text.Json.Nodes;
using Auditrail.Core.Redaction;
using Xunit.Abstractions;

namespace Auditrail.Core.Tests.Redaction;

public sealed class RedactionCorpusTests(ITestOutputHelper output)
{
    // Shorter values ("true", a namespace name) also occur legitimately elsewhere in the same event.
    private const int ShortestCheckedValue = 6;

    [Fact]
    public void No_secret_value_of_the_corpus_survives_redaction()
    {
        var events = 0;
        var flaggedByFile = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var secretsByFile = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (file, line, json) in RedactionCorpus.Events(RedactionCorpus.Files()))
        {
            events++;
            var input = Encoding.UTF8.GetBytes(json);
            var secrets = SecretValueCollector.Collect(JsonNode.Parse(json)!.AsObject())
                .Where(value => value.Length >= ShortestCheckedValue && value != EventRedactor.Placeholder)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            secretsByFile[file] = secretsByFile.GetValueOrDefault(file) + secrets.Count;
            flaggedByFile[file] = flaggedByFile.GetValueOrDefault(file) + (EventRedactor.MayNeedRedaction(input) ? 1 : 0);

            // Also proves the pre-check property, and that events without secrets come out byte for byte.
            var redacted = RedactionAssert.Redact(json);

            var decodedStrings = new List<string>();
            CollectStrings(redacted.Json, decodedStrings);
            foreach (var secret in secrets)
            {
                Assert.False(redacted.Text.Contains(secret, StringComparison.Ordinal), $"{file}:{line} leaks a secret value in its output bytes");
                Assert.DoesNotContain(decodedStrings, s => s.Contains(secret, StringComparison.Ordinal));
            }

            if (secrets.Count > 0)
            {
                Assert.True(EventRedactor.MayNeedRedaction(input), $"{file}:{line} holds secrets but the pre-check said no");
            }
        }

        foreach (var file in secretsByFile.Keys.Where(file => secretsByFile[file] + flaggedByFile[file] > 0))
        {
            output.WriteLine($"{file}: {secretsByFile[file]} secret values, pre-check true for {flaggedByFile[file]} events");
        }

        output.WriteLine($"{events} events, {secretsByFile.Values.Sum()} secret values, pre-check true for {flaggedByFile.Values.Sum()}");
        Assert.True(secretsByFile[Path.Combine("redaction", "secret-events.jsonl")] >= 40, "the fixture lost its secrets");
    }

    [Fact]
    public void Every_fixture_event_but_the_ConfigMap_control_is_redacted()
    {
        var unchanged = RedactionCorpus.Events([RedactionCorpus.FixturePath])
            .Where(e => RedactionAssert.Redact(e.Json).Result.Count == 0)
            .Select(e => JsonNode.Parse(e.Json)!["objectRef"]!["resource"]!.GetValue<string>());

        Assert.Equal(["configmaps"], unchanged);
    }

    private static void CollectStrings(JsonNode? node, List<string> strings)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    strings.Add(name);
                    CollectStrings(child, strings);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    CollectStrings(item, strings);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                strings.Add(text);
                break;
        }
    }
}
