using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Guardrails;

/// <summary>
/// Builds a JSON Patch against a working copy of the object, applying each operation as it is made, so
/// later operations see earlier ones: the first label added to an object without labels adds the whole
/// <c>/metadata/labels</c> map, the second adds one key to it.
/// </summary>
/// <remarks>The working copy is made on first use: a mutation whose condition is false, or a review the guardrail does not change, never copies the object.</remarks>
internal sealed class PatchBuilder(JsonElement original)
{
    private JsonNode? _copy;
    private bool _copied;

    public List<JsonPatchOperation> Operations { get; } = [];

    private JsonNode? Working
    {
        get
        {
            if (!_copied)
            {
                _copy = JsonNode.Parse(original.GetRawText());
                _copied = true;
            }

            return _copy;
        }
        set => _copy = value;
    }

    /// <summary>
    /// Sets the value at <paramref name="tokens"/>, creating missing parent objects. Leaves an existing
    /// value alone unless <paramref name="overwrite"/>; does nothing when a parent is not an object.
    /// </summary>
    public void Set(IReadOnlyList<string> tokens, JsonNode value, bool overwrite)
    {
        var node = Working;
        for (var i = 0; i < tokens.Count; i++)
        {
            // Lists are walked by index (paths from Expand); they are never created or extended here.
            if (node is JsonArray array)
            {
                if (i == tokens.Count - 1 || !int.TryParse(tokens[i], out var index) || index < 0 || index >= array.Count)
                {
                    return;
                }

                node = array[index];
                continue;
            }

            if (node is not JsonObject obj)
            {
                return;
            }

            var present = obj.TryGetPropertyValue(tokens[i], out var child);
            if (i == tokens.Count - 1)
            {
                if (present && child is not null && (!overwrite || JsonNode.DeepEquals(child, value)))
                {
                    return;
                }

                Emit(present ? "replace" : "add", tokens, value);
                return;
            }

            // A missing (or null) parent: one add carries the rest of the path as nested objects.
            if (child is null)
            {
                JsonNode nested = value;
                for (var j = tokens.Count - 1; j > i; j--)
                {
                    nested = new JsonObject { [tokens[j]] = nested };
                }

                Emit(present ? "replace" : "add", tokens.Take(i + 1).ToList(), nested);
                return;
            }

            node = child;
        }
    }

    /// <summary>Every concrete path a field path names: <c>[*]</c> expands to each index of the list there (none when the list is absent).</summary>
    public IEnumerable<List<string>> Expand(IReadOnlyList<string> segments)
    {
        var results = new List<List<string>>();
        ExpandFrom(Working, segments, 0, [], results);
        return results;
    }

    private static void ExpandFrom(JsonNode? node, IReadOnlyList<string> segments, int index, List<string> prefix, List<List<string>> results)
    {
        if (index == segments.Count)
        {
            results.Add([.. prefix]);
            return;
        }

        var segment = segments[index];
        if (segment == FieldPath.EachElement)
        {
            if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    ExpandFrom(array[i], segments, index + 1, [.. prefix, i.ToString(System.Globalization.CultureInfo.InvariantCulture)], results);
                }
            }

            return;
        }

        var child = node is JsonObject obj && obj.TryGetPropertyValue(segment, out var value) ? value : null;

        // Past the last list the path may lead into missing objects; Set creates them.
        ExpandFrom(child, segments, index + 1, [.. prefix, segment], results);
    }

    private void Emit(string op, IReadOnlyList<string> tokens, JsonNode value)
    {
        var operation = new JsonPatchOperation(op, JsonPatch.Pointer(tokens), value.DeepClone());
        Operations.Add(operation);
        Working = JsonPatch.Apply(Working, [operation]);
    }
}
