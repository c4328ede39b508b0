using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Auditrail.Core.Redaction;

/// <summary>
/// Writes a copy of one audit event with secret values replaced by <see cref="EventRedactor.Placeholder"/>, keeping
/// every key, and records the path of each replacement.
/// </summary>
/// <remarks>
/// Rules:
/// <list type="bullet">
/// <item>Secret scope — inside any object of kind Secret or SecretList, and in the bodies of a core-group
/// <c>secrets</c> request: every <c>data</c>/<c>stringData</c> value (at any depth, so list items without a kind,
/// Table rows and patch bodies are covered), the last-applied-configuration annotation, and JSON Patch values
/// aimed at those fields.</item>
/// <item>Token scope — inside TokenRequest/TokenReview objects and the bodies of <c>*/token</c> and
/// <c>tokenreviews</c> requests: every <c>token</c> value.</item>
/// <item>Bearer credentials in every string outside the bodies and in <c>annotations</c> values inside them;
/// credential query parameters of <c>requestURI</c>.</item>
/// <item>A last-applied-configuration annotation of any other object is replaced when the JSON it holds would
/// itself be redacted (an embedded Secret, say).</item>
/// </list>
/// Member names are matched ASCII case-insensitively and duplicated members all count: other parsers may keep a
/// different duplicate or fold case, and the redactor must not be the one that under-reads. Untouched values are
/// copied as their raw bytes, so a value that needs no redaction comes out exactly as it went in.
/// </remarks>
internal sealed class RedactingWriter
{
    private const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    // The two Secret fields that hold values; binaryData belongs to ConfigMaps.
    private static readonly string[] SecretMapNames = ["data", "stringData"];

    private readonly Utf8JsonWriter _writer;
    private readonly List<PathSegment> _path = [];
    private List<string>? _redactedPaths;

    public RedactingWriter(Utf8JsonWriter writer) => _writer = writer;

    [Flags]
    private enum Scope
    {
        None = 0,
        Bearer = 1,
        Secret = 2,
        Token = 4,
    }

    public IReadOnlyList<string> RedactedPaths => _redactedPaths is null ? [] : _redactedPaths;

    public static bool IsSecretMapName(string name) => Array.Exists(SecretMapNames, secretMap => Is(name, secretMap));

    public void WriteEvent(JsonElement auditEvent)
    {
        var bodyScope = ScopeOfObjectRef(auditEvent);
        _writer.WriteStartObject();
        foreach (var member in auditEvent.EnumerateObject())
        {
            WriteName(member);
            _path.Add(new PathSegment(member, PathSegment.Field));
            if (NameIs(member, "requestObject") || NameIs(member, "responseObject"))
            {
                WriteBody(member.Value, bodyScope);
            }
            else if (NameIs(member, "requestURI") && member.Value.ValueKind == JsonValueKind.String)
            {
                WriteRequestUri(member.Value);
            }
            else
            {
                // Outside the bodies nothing is configuration, so a Bearer credential is redacted wherever it sits
                // (annotations, responseStatus.message, user agent, ...).
                WriteValue(member.Value, Scope.Bearer);
            }

            _path.RemoveAt(_path.Count - 1);
        }

        _writer.WriteEndObject();
    }

    private void WriteBody(JsonElement body, Scope scope)
    {
        // A body the server logged as text (raw YAML, say) cannot be inspected; in a secret request it goes whole.
        if ((scope & (Scope.Secret | Scope.Token)) != 0 && body.ValueKind == JsonValueKind.String)
        {
            WriteRedacted();
        }
        else
        {
            WriteValue(body, scope);
        }
    }

    private void WriteValue(JsonElement value, Scope scope)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(value, scope | ScopeOfKind(value));
                break;
            case JsonValueKind.Array:
                WriteArray(value, scope);
                break;
            case JsonValueKind.String when scope.HasFlag(Scope.Bearer):
                WriteWithoutBearerTokens(value);
                break;
            default:
                WriteRaw(value);
                break;
        }
    }

    private void WriteObject(JsonElement value, Scope scope)
    {
        var patchTarget = scope.HasFlag(Scope.Secret) ? SecretPatchTargets.Classify(value) : SecretPatchTarget.None;
        _writer.WriteStartObject();
        foreach (var member in value.EnumerateObject())
        {
            WriteName(member);
            _path.Add(new PathSegment(member, PathSegment.Field));
            WriteMember(member, scope, patchTarget);
            _path.RemoveAt(_path.Count - 1);
        }

        _writer.WriteEndObject();
    }

    private void WriteMember(JsonProperty member, Scope scope, SecretPatchTarget patchTarget)
    {
        var value = member.Value;
        if (value.ValueKind == JsonValueKind.Null)
        {
            // null holds no secret, and merge patches use it to delete keys, which is worth keeping visible.
            _writer.WriteNullValue();
        }
        else if (scope.HasFlag(Scope.Secret) && IsSecretMap(member))
        {
            WriteSecretMap(value);
        }
        else if (scope.HasFlag(Scope.Secret) && NameIs(member, LastAppliedAnnotation))
        {
            WriteRedacted(); // it holds the whole Secret, data included, as JSON text
        }
        else if (scope.HasFlag(Scope.Token) && NameIs(member, "token"))
        {
            WriteRedacted();
        }
        else if (patchTarget != SecretPatchTarget.None && NameIs(member, "value"))
        {
            WritePatchValue(value, scope, patchTarget);
        }
        else if (NameIs(member, LastAppliedAnnotation) && value.ValueKind == JsonValueKind.String
                 && EmbedsSomethingToRedact(value, scope))
        {
            WriteRedacted();
        }
        else
        {
            WriteValue(value, NameIs(member, "annotations") ? scope | Scope.Bearer : scope);
        }
    }

    private void WriteArray(JsonElement value, Scope scope)
    {
        _writer.WriteStartArray();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            _path.Add(new PathSegment(default, index++));
            WriteValue(item, scope);
            _path.RemoveAt(_path.Count - 1);
        }

        _writer.WriteEndArray();
    }

    /// <summary>The value of <c>data</c> or <c>stringData</c>: each value goes, the keys stay.</summary>
    private void WriteSecretMap(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            WriteRedacted(); // not a map (malformed or a string); all of it may be secret
            return;
        }

        _writer.WriteStartObject();
        foreach (var entry in value.EnumerateObject())
        {
            WriteName(entry);
            _path.Add(new PathSegment(entry, PathSegment.Key));
            if (entry.Value.ValueKind == JsonValueKind.Null)
            {
                _writer.WriteNullValue();
            }
            else
            {
                WriteRedacted();
            }

            _path.RemoveAt(_path.Count - 1);
        }

        _writer.WriteEndObject();
    }

    private void WritePatchValue(JsonElement value, Scope scope, SecretPatchTarget target)
    {
        switch (target)
        {
            case SecretPatchTarget.DataMap:
                WriteSecretMap(value);
                break;
            case SecretPatchTarget.Document when value.ValueKind is JsonValueKind.Object or JsonValueKind.Array:
                WriteValue(value, scope);
                break;
            default:
                WriteRedacted();
                break;
        }
    }

    private void WriteRequestUri(JsonElement value)
    {
        var uri = value.GetString()!;
        var withoutQueryCredentials = CredentialText.RedactQueryCredentials(uri, out var queryCount);
        var redacted = CredentialText.RedactBearerTokens(withoutQueryCredentials, out var bearerCount);
        WriteText(value, redacted, queryCount + bearerCount);
    }

    private void WriteWithoutBearerTokens(JsonElement value)
    {
        // Most strings have no 'b' at all; only those that might spell "bearer" (or hide it behind an escape) are decoded.
        if (JsonMarshal.GetRawUtf8Value(value).IndexOfAny((byte)'b', (byte)'B', (byte)'\\') < 0)
        {
            WriteRaw(value);
            return;
        }

        var redacted = CredentialText.RedactBearerTokens(value.GetString()!, out var count);
        WriteText(value, redacted, count);
    }

    private void WriteText(JsonElement original, string text, int redactions)
    {
        if (redactions == 0)
        {
            WriteRaw(original);
            return;
        }

        _writer.WriteStringValue(text);
        Record(redactions);
    }

    /// <summary>Whether the JSON text in a last-applied-configuration annotation holds anything to redact.</summary>
    private static bool EmbedsSomethingToRedact(JsonElement annotation, Scope scope)
    {
        JsonDocument embedded;
        try
        {
            embedded = JsonDocument.Parse(annotation.GetString()!, EventRedactor.DocumentOptions);
        }
        catch (JsonException)
        {
            return false; // not JSON, so nothing inside it is recognisably a Secret
        }

        using (embedded)
        using (var discard = new Utf8JsonWriter(Stream.Null, EventRedactor.WriterOptions))
        {
            var probe = new RedactingWriter(discard);
            probe.WriteValue(embedded.RootElement, scope & ~Scope.Bearer);
            return probe.RedactedPaths.Count > 0;
        }
    }

    private static Scope ScopeOfKind(JsonElement value)
    {
        var scope = Scope.None;
        foreach (var member in value.EnumerateObject())
        {
            if (NameIs(member, "kind") && member.Value.ValueKind == JsonValueKind.String)
            {
                var kind = member.Value.GetString();
                if (Is(kind, "Secret") || Is(kind, "SecretList"))
                {
                    scope |= Scope.Secret;
                }
                else if (Is(kind, "TokenRequest") || Is(kind, "TokenReview"))
                {
                    scope |= Scope.Token;
                }
            }
        }

        return scope;
    }

    private static Scope ScopeOfObjectRef(JsonElement auditEvent)
    {
        bool secrets = false, tokenResource = false, sawGroup = false, sawCoreGroup = false;
        foreach (var member in auditEvent.EnumerateObject())
        {
            if (!NameIs(member, "objectRef") || member.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var field in member.Value.EnumerateObject())
            {
                var text = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString() : null;
                if (NameIs(field, "resource"))
                {
                    secrets |= Is(text, "secrets");
                    tokenResource |= Is(text, "tokenreviews");
                }
                else if (NameIs(field, "subresource"))
                {
                    tokenResource |= Is(text, "token"); // serviceaccounts/token, the TokenRequest API
                }
                else if (NameIs(field, "apiGroup"))
                {
                    sawGroup = true;
                    sawCoreGroup |= string.IsNullOrEmpty(text) && field.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
                }
            }
        }

        var scope = Scope.None;
        if (secrets && (!sawGroup || sawCoreGroup))
        {
            scope |= Scope.Secret;
        }

        if (tokenResource)
        {
            scope |= Scope.Token;
        }

        return scope;
    }

    private void WriteRedacted()
    {
        _writer.WriteStringValue(EventRedactor.Placeholder);
        Record(1);
    }

    private void Record(int redactions)
    {
        _redactedPaths ??= [];
        var path = PathSegment.Format(_path);
        for (var i = 0; i < redactions; i++)
        {
            _redactedPaths.Add(path);
        }
    }

    private void WriteRaw(JsonElement value) =>
        _writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);

    private void WriteName(JsonProperty member)
    {
        // The raw name avoids a string per member; a name with escapes is decoded so it is not escaped twice.
        var raw = JsonMarshal.GetRawUtf8PropertyName(member);
        if (raw.IndexOf((byte)'\\') < 0)
        {
            _writer.WritePropertyName(raw);
        }
        else
        {
            _writer.WritePropertyName(member.Name);
        }
    }

    private static bool NameIs(JsonProperty member, string expected)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(member);
        return raw.IndexOf((byte)'\\') < 0 ? Ascii.EqualsIgnoreCase(raw, expected) : Is(member.Name, expected);
    }

    private static bool IsSecretMap(JsonProperty member)
    {
        foreach (var name in SecretMapNames)
        {
            if (NameIs(member, name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Is(string? value, string expected) => CredentialText.EqualsAsciiIgnoreCase(value, expected);

    /// <summary>One step of the path to a redacted value: a field, a map key, or an array index.</summary>
    private readonly record struct PathSegment(JsonProperty Member, int Index)
    {
        public const int Field = -1;
        public const int Key = -2;

        private static readonly SearchValues<char> PlainNameCharacters =
            SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$");

        /// <summary>Kubernetes field-path style, as in <c>responseObject.items[0].data[tls.key]</c>.</summary>
        public static string Format(List<PathSegment> path)
        {
            var text = new StringBuilder();
            foreach (var segment in path)
            {
                switch (segment.Index)
                {
                    case Field when IsPlainName(segment.Member.Name):
                        text.Append(text.Length == 0 ? "" : ".").Append(segment.Member.Name);
                        break;
                    case Field or Key:
                        text.Append('[').Append(segment.Member.Name).Append(']');
                        break;
                    default:
                        text.Append('[').Append(segment.Index).Append(']');
                        break;
                }
            }

            return text.ToString();
        }

        // Field names print as ".name"; map keys such as annotation names (dots, slashes) print as "[name]".
        private static bool IsPlainName(string name) =>
            name.Length > 0 && name.AsSpan().IndexOfAnyExcept(PlainNameCharacters) < 0;
    }
}
