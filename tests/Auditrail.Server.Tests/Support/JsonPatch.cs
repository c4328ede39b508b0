using System.Globalization;
using System.Text.Json.Nodes;

namespace Auditrail.Server.Tests.Support;

/// <summary>
/// A small RFC 6902 applier, so tests check what a returned patch does to the object (as kube-apiserver
/// applies it) rather than how it is spelled. Errors throw, as the apiserver refuses a patch that does not apply.
/// </summary>
internal static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonArray patch)
    {
        foreach (var item in patch)
        {
            var operation = item!.AsObject();
            var op = (string)operation["op"]!;
            var path = (string)operation["path"]!;
            switch (op)
            {
                case "add":
                    document = Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    document = Remove(document, path, out _);
                    break;
                case "replace":
                    document = Remove(document, path, out _);
                    document = Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                    document = Remove(document, (string)operation["from"]!, out var moved);
                    document = Add(document, path, moved);
                    break;
                case "copy":
                    document = Add(document, path, Resolve(document, (string)operation["from"]!)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(document, path), operation["value"]))
                    {
                        throw new InvalidOperationException($"test failed at {path}");
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unknown op {op}");
            }
        }

        return document;
    }

    private static string[] Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new InvalidOperationException($"'{pointer}' is not a JSON pointer");
        }

        return [.. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? Resolve(JsonNode? document, string pointer)
    {
        var node = document;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject obj when obj.TryGetPropertyValue(token, out var child) => child,
                JsonArray array => array[Index(token, array.Count - 1)],
                _ => throw new InvalidOperationException($"{pointer}: no such member '{token}'"),
            };
        }

        return node;
    }

    private static JsonNode? Add(JsonNode? document, string pointer, JsonNode? value)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            return value;
        }

        var parent = Resolve(document, ParentPointer(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array:
                array.Insert(Index(last, array.Count), value);
                break;
            default:
                throw new InvalidOperationException($"{pointer}: the parent does not exist or is not a container");
        }

        return document;
    }

    private static JsonNode? Remove(JsonNode? document, string pointer, out JsonNode? removed)
    {
        var tokens = Tokens(pointer);
        var parent = Resolve(document, ParentPointer(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out removed):
                obj.Remove(last);
                break;
            case JsonArray array:
                var index = Index(last, array.Count - 1);
                removed = array[index];
                array.RemoveAt(index);
                break;
            default:
                throw new InvalidOperationException($"{pointer}: nothing to remove");
        }

        return document;
    }

    private static int Index(string token, int max)
    {
        var index = int.Parse(token, NumberStyles.None, CultureInfo.InvariantCulture);
        return index <= max ? index : throw new InvalidOperationException($"index {index} out of range");
    }

    private static string ParentPointer(string[] tokens) =>
        string.Concat(tokens[..^1].Select(token => "/" + Escape(token)));

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
