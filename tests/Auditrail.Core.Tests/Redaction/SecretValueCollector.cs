using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Auditrail.Core.Tests.Redaction;

/// <summary>
/// Lists the secret values an event holds, written independently of the redactor (JsonNode, regular expressions,
/// no shared code) so that a mistake in one is not repeated in the other.
/// </summary>
internal static partial class SecretValueCollector
{
    public static List<string> Collect(JsonObject auditEvent)
    {
        var values = new List<string>();
        var objectRef = auditEvent["objectRef"] as JsonObject;
        var resource = Text(objectRef?["resource"]);
        var group = Text(objectRef?["apiGroup"]) ?? "";
        var secretRequest = resource == "secrets" && group.Length == 0;
        var tokenRequest = Text(objectRef?["subresource"]) == "token" || resource == "tokenreviews";

        foreach (var (name, node) in auditEvent)
        {
            if (name is "requestObject" or "responseObject")
            {
                CollectFromBody(node, secretRequest, tokenRequest, values);
            }
            else
            {
                CollectBearerTokens(node, values);
            }
        }

        if (Text(auditEvent["requestURI"]) is { } uri)
        {
            values.AddRange(CredentialQueryParameter().Matches(uri).Select(m => m.Groups["value"].Value));
        }

        return values;
    }

    private static void CollectFromBody(JsonNode? node, bool inSecret, bool inToken, List<string> values)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    CollectFromBody(item, inSecret, inToken, values);
                }

                break;
            case JsonObject obj:
                var kind = Text(obj["kind"]);
                inSecret |= kind is "Secret" or "SecretList";
                inToken |= kind is "TokenRequest" or "TokenReview";
                var patchesSecretField = inSecret && Text(obj["path"]) is { } path
                    && (path.StartsWith("/data", StringComparison.Ordinal) || path.StartsWith("/stringData", StringComparison.Ordinal));
                foreach (var (name, child) in obj)
                {
                    if ((inSecret && name is "data" or "stringData") || (inToken && name == "token") || (patchesSecretField && name == "value"))
                    {
                        AllStrings(child, values);
                    }
                    else if (name == "kubectl.kubernetes.io/last-applied-configuration" && Text(child) is { } applied)
                    {
                        var embedded = new List<string>();
                        CollectFromBody(JsonNode.Parse(applied), inSecret, inToken, embedded);
                        if (inSecret || embedded.Count > 0)
                        {
                            values.Add(applied);
                            values.AddRange(embedded);
                        }
                    }
                    else if (name == "annotations")
                    {
                        CollectBearerTokens(child, values);
                    }

                    CollectFromBody(child, inSecret, inToken, values);
                }

                break;
        }
    }

    private static void CollectBearerTokens(JsonNode? node, List<string> values)
    {
        var strings = new List<string>();
        AllStrings(node, strings);
        foreach (var text in strings)
        {
            values.AddRange(BearerToken().Matches(text).Select(m => m.Groups["token"].Value));
        }
    }

    private static void AllStrings(JsonNode? node, List<string> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    AllStrings(child, values);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    AllStrings(item, values);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                values.Add(text);
                break;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    [GeneratedRegex(@"\bbearer\s+(?<token>[A-Za-z0-9\-._~+/]+=*)", RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"[?&][^=&#]*(token|secret|passw)[^=&#]*=(?<value>[^&#]+)", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialQueryParameter();
}
