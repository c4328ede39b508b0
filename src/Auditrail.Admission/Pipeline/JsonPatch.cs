using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Pipeline;

/// <summary>
/// RFC 6901 JSON Pointers and an RFC 6902 JSON Patch applier: the pipeline applies each mutator's
/// operations so the next mutator (and validation) sees the object as patched so far, and the offline
/// commands show the patched object.
/// </summary>
public static class JsonPatch
{
    /// <summary>Escapes one reference token: <c>~</c> becomes <c>~0</c>, <c>/</c> becomes <c>~1</c> (in that order, as RFC 6901 requires).</summary>
    public static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Unescape(string token) => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    /// <summary>A pointer from unescaped tokens (<c>["metadata", "labels", "a/b"]</c> → <c>/metadata/labels/a~1b</c>).</summary>
    public static string Pointer(IEnumerable<string> tokens) => string.Concat(tokens.Select(t => "/" + Escape(t)));

    public static IReadOnlyList<string> Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new JsonPatchException($"'{pointer}' is not a JSON pointer (it must start with '/')");
        }

        return [.. pointer[1..].Split('/').Select(Unescape)];
    }

    /// <summary>Applies operations in order to a copy of <paramref name="document"/>; throws <see cref="JsonPatchException"/> when one cannot apply.</summary>
    public static JsonElement Apply(JsonElement document, IEnumerable<JsonPatchOperation> operations)
    {
        var root = Apply(Node(document), operations);
        using var result = JsonDocument.Parse(root?.ToJsonString() ?? "null");
        return result.RootElement.Clone();
    }

    /// <summary>
    /// Throws <see cref="JsonPatchException"/> when the operations do not apply to <paramref name="document"/>,
    /// without building the patched document: for the last mutator, whose result no one reads.
    /// </summary>
    public static void EnsureApplies(JsonElement document, IEnumerable<JsonPatchOperation> operations) => Apply(Node(document), operations);

    /// <summary>
    /// A node over the element: containers are created from the element, and only the ones a patch walks
    /// through are materialized, so a patch of two labels does not copy a whole Deployment.
    /// </summary>
    private static JsonNode? Node(JsonElement document) => document.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(document),
        JsonValueKind.Array => JsonArray.Create(document),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => JsonValue.Create(document),
    };

    /// <summary>Applies operations in order to <paramref name="root"/> itself; returns the new root (an operation on "" replaces it).</summary>
    public static JsonNode? Apply(JsonNode? root, IEnumerable<JsonPatchOperation> operations)
    {
        foreach (var operation in operations)
        {
            root = ApplyOne(root, operation);
        }

        return root;
    }

    private static JsonNode? ApplyOne(JsonNode? root, JsonPatchOperation operation)
    {
        var tokens = Tokens(operation.Path);
        switch (operation.Op)
        {
            case "add":
                return Add(root, tokens, Copy(operation.Value), operation.Path);
            case "remove":
                Remove(root, tokens, operation.Path);
                return root;
            case "replace":
                return Replace(root, tokens, Copy(operation.Value), operation.Path);
            case "test":
                if (!JsonNode.DeepEquals(Get(root, tokens, operation.Path), operation.Value))
                {
                    throw new JsonPatchException($"test failed at {operation.Path}");
                }

                return root;
            default:
                throw new JsonPatchException($"operation '{operation.Op}' is not supported (add, remove, replace, test)");
        }
    }

    private static JsonNode? Copy(JsonNode? value) => value?.DeepClone();

    private static JsonNode? Get(JsonNode? root, IReadOnlyList<string> tokens, string path)
    {
        var node = root;
        foreach (var token in tokens)
        {
            node = node switch
            {
                JsonObject obj when obj.TryGetPropertyValue(token, out var child) => child,
                JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count => array[index],
                _ => throw new JsonPatchException($"{path}: no value at '{token}'"),
            };
        }

        return node;
    }

    private static JsonNode? Add(JsonNode? root, IReadOnlyList<string> tokens, JsonNode? value, string path)
    {
        if (tokens.Count == 0)
        {
            return value;
        }

        var parent = Get(root, tokens.Take(tokens.Count - 1).ToList(), path);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(last, out var index) && index >= 0 && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw new JsonPatchException($"{path}: the parent is missing or cannot hold '{last}'");
        }

        return root;
    }

    /// <summary>Replaces in place, so an object keeps its key order.</summary>
    private static JsonNode? Replace(JsonNode? root, IReadOnlyList<string> tokens, JsonNode? value, string path)
    {
        if (tokens.Count == 0)
        {
            return value;
        }

        var parent = Get(root, tokens.Take(tokens.Count - 1).ToList(), path);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj[last] = value;
                break;
            case JsonArray array when int.TryParse(last, out var index) && index >= 0 && index < array.Count:
                array[index] = value;
                break;
            default:
                throw new JsonPatchException($"{path}: nothing to replace");
        }

        return root;
    }

    private static void Remove(JsonNode? root, IReadOnlyList<string> tokens, string path)
    {
        if (tokens.Count == 0)
        {
            throw new JsonPatchException("cannot remove the whole document");
        }

        var parent = Get(root, tokens.Take(tokens.Count - 1).ToList(), path);
        var last = tokens[^1];
        var removed = parent switch
        {
            JsonObject obj => obj.Remove(last),
            JsonArray array when int.TryParse(last, out var index) && index >= 0 && index < array.Count => RemoveAt(array, index),
            _ => false,
        };
        if (!removed)
        {
            throw new JsonPatchException($"{path}: nothing to remove");
        }
    }

    private static bool RemoveAt(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }
}

/// <summary>A JSON Patch operation that cannot apply to the document (a missing parent, a failed test).</summary>
public sealed class JsonPatchException(string message) : Exception(message);
