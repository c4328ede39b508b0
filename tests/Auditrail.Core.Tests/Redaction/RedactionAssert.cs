using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Auditrail.Core.Redaction;

namespace Auditrail.Core.Tests.Redaction;

/// <summary>The outcome of one redaction; paths are JSON Pointers without the leading '/' ("a/0/b~1c").</summary>
internal sealed record Redacted(RedactionResult Result, string Text)
{
    public JsonNode Json => JsonNode.Parse(Text)!;

    public string? At(string path) => Navigate(Json, path)?.GetValue<string>();

    public JsonNode? Node(string path) => Navigate(Json, path);

    private static JsonNode? Navigate(JsonNode? node, string path)
    {
        foreach (var step in path.Split('/'))
        {
            node = node switch
            {
                JsonArray array => array[int.Parse(step, CultureInfo.InvariantCulture)],
                JsonObject obj => obj[step.Replace("~1", "/", StringComparison.Ordinal)],
                _ => throw new InvalidOperationException($"cannot take '{step}' of {node?.ToJsonString()}"),
            };
        }

        return node;
    }
}

internal static class RedactionAssert
{
    /// <summary>
    /// Redacts and checks the properties every event must have: it parses, the pre-check never answers false when
    /// something was redacted, and the output differs from the input only where a value became [REDACTED].
    /// </summary>
    /// <summary>Whether the event has a request or response body, as the reader decides it (an object or array, not null).</summary>
    public static bool HasBodies(byte[] eventJson)
    {
        using var document = System.Text.Json.JsonDocument.Parse(eventJson);
        return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
            && document.RootElement.EnumerateObject().Any(p => p.Name is "requestObject" or "responseObject"
                && p.Value.ValueKind is System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Array);
    }

    public static Redacted Redact(string eventJson)
    {
        var input = Encoding.UTF8.GetBytes(eventJson);
        var output = new ArrayBufferWriter<byte>();
        var result = EventRedactor.Redact(input, output);

        Assert.True(result.Parsed);
        Assert.Equal(result.Count, result.Paths.Count);
        if (result.Count > 0)
        {
            Assert.True(EventRedactor.MayNeedRedaction(input), "the pre-check answered false for an event that needed redaction");
            Assert.True(EventRedactor.MayNeedRedaction(input, HasBodies(input)), "the bodies-aware pre-check answered false for an event that needed redaction");
        }

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        if (result.Count == 0)
        {
            Assert.Equal(eventJson, text);
        }
        else
        {
            OnlyRedactionsDiffer(JsonNode.Parse(eventJson), JsonNode.Parse(text), "$");
        }

        return new Redacted(result, text);
    }

    /// <summary>Same shape, same keys, same values, except strings that now hold the placeholder.</summary>
    public static void OnlyRedactionsDiffer(JsonNode? expected, JsonNode? actual, string path)
    {
        if (actual is JsonValue value && value.TryGetValue<string>(out var text)
            && text.Contains(EventRedactor.Placeholder, StringComparison.Ordinal))
        {
            return;
        }

        switch (expected)
        {
            case JsonObject expectedObject:
                var actualObject = Assert.IsType<JsonObject>(actual);
                Assert.Equal(expectedObject.Select(p => p.Key), actualObject.Select(p => p.Key));
                foreach (var (name, child) in expectedObject)
                {
                    OnlyRedactionsDiffer(child, actualObject[name], $"{path}.{name}");
                }

                break;
            case JsonArray expectedArray:
                var actualArray = Assert.IsType<JsonArray>(actual);
                Assert.Equal(expectedArray.Count, actualArray.Count);
                for (var i = 0; i < expectedArray.Count; i++)
                {
                    OnlyRedactionsDiffer(expectedArray[i], actualArray[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{path} changed without being redacted");
                break;
        }
    }
}
