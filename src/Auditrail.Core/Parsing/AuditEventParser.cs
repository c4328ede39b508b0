using System.Text.Json;
using Auditrail.Core.Model;

namespace Auditrail.Core.Parsing;

/// <summary>
/// Fills an <see cref="AuditEvent"/> from the UTF-8 JSON of one audit.k8s.io Event (v1, v1beta1 or
/// v1alpha1) in a single forward pass. Property names are matched as bytes and values are recorded as
/// byte ranges, so a parse allocates nothing; request and response bodies are skipped, not decoded.
/// </summary>
internal static class AuditEventParser
{
    /// <summary>Deep enough for real objects (CRD schemas nest a few dozen levels), shallow enough to stop hostile input.</summary>
    public const int DefaultMaxDepth = 256;

    public static ParseResult Parse(byte[] buffer, int offset, int length, AuditEvent target, int maxDepth = DefaultMaxDepth)
    {
        target.Reset(buffer, offset, length);
        var reader = new Utf8JsonReader(buffer.AsSpan(offset, length), new JsonReaderOptions { MaxDepth = maxDepth });
        var state = new ParseState();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return ParseResult.NotEvent("not a JSON object");
            }

            var result = ParseTopLevel(ref reader, target, ref state);
            if (result.Outcome != ParseOutcome.Event)
            {
                return result;
            }

            // Anything but whitespace after the object means the record is not one JSON value.
            if (reader.Read())
            {
                return ParseResult.Invalid($"unexpected {Describe(reader.TokenType)} after the end of the event", "$", reader.TokenStartIndex);
            }

            return Validate(target, in state);
        }
        catch (JsonException ex)
        {
            return ParseResult.Invalid(CleanJsonMessage(ex), null, reader.BytesConsumed);
        }
    }

    /// <summary>Flags gathered during the pass that decide whether the object is an Event at all.</summary>
    private struct ParseState
    {
        public bool SawLevel;
        public bool SawStage;
        public bool SawTimestamp;
        public DateTimeOffset? V1Beta1Timestamp;
    }

    private static ParseResult ParseTopLevel(ref Utf8JsonReader reader, AuditEvent e, ref ParseState state)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = PropertyName(ref reader);
            reader.Read();
            ParseResult r;
            switch (name.Length)
            {
                case 4 when name.SequenceEqual("kind"u8):
                    r = ExpectString(ref reader, "$.kind");
                    if (r.Outcome != ParseOutcome.Event)
                    {
                        return r;
                    }

                    if (!reader.ValueTextEquals("Event"u8))
                    {
                        return ParseResult.NotEvent($"kind is {Quote(ref reader)}, not Event");
                    }

                    break;
                case 10 when name.SequenceEqual("apiVersion"u8):
                    r = StoreString(ref reader, e, EventSlot.ApiVersion, "$.apiVersion");
                    if (r.Outcome != ParseOutcome.Event)
                    {
                        return r;
                    }

                    if (!reader.ValueSpan.StartsWith("audit.k8s.io/"u8) && !reader.ValueIsEscaped)
                    {
                        return ParseResult.NotEvent($"apiVersion is {Quote(ref reader)}, not audit.k8s.io");
                    }

                    break;
                case 5 when name.SequenceEqual("level"u8):
                    r = ReadEnum<AuditLevel>(ref reader, "$.level", "level", AuditEnumNames.TryParseLevel, out var level);
                    e.Level = level;
                    state.SawLevel = true;
                    break;
                case 5 when name.SequenceEqual("stage"u8):
                    r = ReadEnum<AuditStage>(ref reader, "$.stage", "stage", AuditEnumNames.TryParseStage, out var stage);
                    e.Stage = stage;
                    state.SawStage = true;
                    break;
                case 7 when name.SequenceEqual("auditID"u8):
                    r = StoreString(ref reader, e, EventSlot.AuditId, "$.auditID");
                    break;
                case 10 when name.SequenceEqual("requestURI"u8):
                    r = StoreString(ref reader, e, EventSlot.RequestUri, "$.requestURI");
                    break;
                case 4 when name.SequenceEqual("verb"u8):
                    r = StoreString(ref reader, e, EventSlot.Verb, "$.verb");
                    break;
                case 4 when name.SequenceEqual("user"u8):
                    r = ParseUser(ref reader, e, impersonated: false);
                    break;
                case 16 when name.SequenceEqual("impersonatedUser"u8):
                    r = ParseUser(ref reader, e, impersonated: true);
                    break;
                case 9 when name.SequenceEqual("sourceIPs"u8):
                    r = ParseStringArray(ref reader, e, EventSlot.SourceIps, EventSlot.FirstSourceIp, "$.sourceIPs");
                    break;
                case 9 when name.SequenceEqual("userAgent"u8):
                    r = StoreString(ref reader, e, EventSlot.UserAgent, "$.userAgent");
                    break;
                case 9 when name.SequenceEqual("objectRef"u8):
                    r = ParseObjectRef(ref reader, e);
                    break;
                case 14 when name.SequenceEqual("responseStatus"u8):
                    r = ParseResponseStatus(ref reader, e);
                    break;
                case 13 when name.SequenceEqual("requestObject"u8):
                    r = StoreRaw(ref reader, e, EventSlot.RequestObject, "$.requestObject");
                    break;
                case 14 when name.SequenceEqual("responseObject"u8):
                    r = StoreRaw(ref reader, e, EventSlot.ResponseObject, "$.responseObject");
                    break;
                case 24 when name.SequenceEqual("requestReceivedTimestamp"u8):
                    r = ReadTime(ref reader, "$.requestReceivedTimestamp", out var received);
                    e.RequestReceivedTimestamp = received;
                    break;
                case 14 when name.SequenceEqual("stageTimestamp"u8):
                    r = ReadTime(ref reader, "$.stageTimestamp", out var staged);
                    e.StageTimestamp = staged;
                    break;
                case 9 when name.SequenceEqual("timestamp"u8):
                    // v1beta1 only: when the event was generated. Used if the v1 timestamps are missing.
                    // Envelopes (CloudWatch) use the same name for epoch milliseconds: not ours to judge.
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        reader.Skip();
                        continue;
                    }

                    r = ReadTime(ref reader, "$.timestamp", out var legacy);
                    state.V1Beta1Timestamp = legacy;
                    state.SawTimestamp = true;
                    break;
                case 11 when name.SequenceEqual("annotations"u8):
                    r = ParseAnnotations(ref reader, e);
                    break;
                default:
                    reader.Skip();
                    continue;
            }

            if (r.Outcome != ParseOutcome.Event)
            {
                return r;
            }
        }

        if (state.SawTimestamp && e.StageTimestamp is null)
        {
            e.StageTimestamp = state.V1Beta1Timestamp;
        }

        return ParseResult.Success;
    }

    private static ParseResult Validate(AuditEvent e, in ParseState state)
    {
        var hasId = e.IsPresent(EventSlot.AuditId);
        var hasVerb = e.IsPresent(EventSlot.Verb);
        if (!hasId && !hasVerb && !state.SawStage && !state.SawLevel)
        {
            return ParseResult.NotEvent("no auditID, verb, stage or level");
        }

        if (!hasId)
        {
            return ParseResult.Invalid("missing required field auditID", "$.auditID", 0);
        }

        if (!state.SawStage)
        {
            return ParseResult.Invalid("missing required field stage", "$.stage", 0);
        }

        if (!hasVerb)
        {
            return ParseResult.Invalid("missing required field verb", "$.verb", 0);
        }

        if (!state.SawLevel)
        {
            // The apiserver always writes a level; an event without one can only have been recorded at Metadata or above.
            e.Level = AuditLevel.Metadata;
        }

        return ParseResult.Success;
    }

    private static ParseResult ParseUser(ref Utf8JsonReader reader, AuditEvent e, bool impersonated)
    {
        var path = impersonated ? "$.impersonatedUser" : "$.user";
        if (!TryBeginObject(ref reader, path, out var start, out var notObject))
        {
            return notObject;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = PropertyName(ref reader);
            reader.Read();
            ParseResult r;
            if (property.SequenceEqual("username"u8))
            {
                r = StoreString(ref reader, e, impersonated ? EventSlot.ImpersonatedUserName : EventSlot.UserName, impersonated ? "$.impersonatedUser.username" : "$.user.username");
            }
            else if (property.SequenceEqual("uid"u8))
            {
                r = StoreString(ref reader, e, impersonated ? EventSlot.ImpersonatedUserUid : EventSlot.UserUid, impersonated ? "$.impersonatedUser.uid" : "$.user.uid");
            }
            else if (property.SequenceEqual("groups"u8))
            {
                r = ParseStringArray(ref reader, e, impersonated ? EventSlot.ImpersonatedUserGroups : EventSlot.UserGroups, null, impersonated ? "$.impersonatedUser.groups" : "$.user.groups");
            }
            else if (!impersonated && property.SequenceEqual("extra"u8))
            {
                r = StoreRaw(ref reader, e, EventSlot.UserExtra, "$.user.extra");
            }
            else
            {
                reader.Skip();
                continue;
            }

            if (r.Outcome != ParseOutcome.Event)
            {
                return r;
            }
        }

        return StoreRange(ref reader, e, impersonated ? EventSlot.ImpersonatedUser : EventSlot.User, start);
    }

    private static ParseResult ParseObjectRef(ref Utf8JsonReader reader, AuditEvent e)
    {
        if (!TryBeginObject(ref reader, "$.objectRef", out var start, out var notObject))
        {
            return notObject;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = PropertyName(ref reader);
            reader.Read();
            EventSlot? slot = property.Length switch
            {
                8 when property.SequenceEqual("resource"u8) => EventSlot.ObjectResource,
                9 when property.SequenceEqual("namespace"u8) => EventSlot.ObjectNamespace,
                4 when property.SequenceEqual("name"u8) => EventSlot.ObjectName,
                3 when property.SequenceEqual("uid"u8) => EventSlot.ObjectUid,
                8 when property.SequenceEqual("apiGroup"u8) => EventSlot.ObjectApiGroup,
                10 when property.SequenceEqual("apiVersion"u8) => EventSlot.ObjectApiVersion,
                15 when property.SequenceEqual("resourceVersion"u8) => EventSlot.ObjectResourceVersion,
                11 when property.SequenceEqual("subresource"u8) => EventSlot.ObjectSubresource,
                _ => null,
            };
            if (slot is null)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType == JsonTokenType.String)
            {
                Store(ref reader, e, slot.Value);
            }
            else if (reader.TokenType != JsonTokenType.Null)
            {
                // The path is only built on this cold error branch, so the hot path stays allocation-free.
                return WrongType(ref reader, "$.objectRef." + System.Text.Encoding.UTF8.GetString(property), "a string");
            }
        }

        return StoreRange(ref reader, e, EventSlot.ObjectRef, start);
    }

    private static ParseResult ParseResponseStatus(ref Utf8JsonReader reader, AuditEvent e)
    {
        if (!TryBeginObject(ref reader, "$.responseStatus", out var start, out var notObject))
        {
            return notObject;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = PropertyName(ref reader);
            reader.Read();
            ParseResult r;
            if (property.SequenceEqual("code"u8))
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var code))
                {
                    return WrongType(ref reader, "$.responseStatus.code", "an integer");
                }

                e.ResponseCode = code;
                continue;
            }

            if (property.SequenceEqual("status"u8))
            {
                r = StoreString(ref reader, e, EventSlot.StatusStatus, "$.responseStatus.status");
            }
            else if (property.SequenceEqual("reason"u8))
            {
                r = StoreString(ref reader, e, EventSlot.StatusReason, "$.responseStatus.reason");
            }
            else if (property.SequenceEqual("message"u8))
            {
                r = StoreString(ref reader, e, EventSlot.StatusMessage, "$.responseStatus.message");
            }
            else
            {
                reader.Skip();
                continue;
            }

            if (r.Outcome != ParseOutcome.Event)
            {
                return r;
            }
        }

        return StoreRange(ref reader, e, EventSlot.ResponseStatus, start);
    }

    private static ParseResult ParseAnnotations(ref Utf8JsonReader reader, AuditEvent e)
    {
        if (!TryBeginObject(ref reader, "$.annotations", out var start, out var notObject))
        {
            return notObject;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = PropertyName(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                // Annotations are map[string]string; anything else is a corrupted record.
                return WrongType(ref reader, "$.annotations[\"" + System.Text.Encoding.UTF8.GetString(property) + "\"]", "a string");
            }

            if (property.SequenceEqual("authorization.k8s.io/decision"u8))
            {
                Store(ref reader, e, EventSlot.AuthorizationDecision);
            }
            else if (property.SequenceEqual("authorization.k8s.io/reason"u8))
            {
                Store(ref reader, e, EventSlot.AuthorizationReason);
            }
            else if (property.SequenceEqual(WellKnown.ClusterAnnotation))
            {
                Store(ref reader, e, EventSlot.Cluster);
            }
        }

        return StoreRange(ref reader, e, EventSlot.Annotations, start);
    }

    /// <summary>Starts a nested object member: null is "absent" (false, success), anything but an object is an error.</summary>
    private static bool TryBeginObject(ref Utf8JsonReader reader, string path, out int start, out ParseResult result)
    {
        start = (int)reader.TokenStartIndex;
        result = reader.TokenType switch
        {
            JsonTokenType.StartObject => ParseResult.Success,
            JsonTokenType.Null => ParseResult.Success,
            _ => WrongType(ref reader, path, "an object"),
        };
        return reader.TokenType == JsonTokenType.StartObject;
    }

    /// <summary>Records the whole object or array once the reader stands on its closing bracket.</summary>
    private static ParseResult StoreRange(ref Utf8JsonReader reader, AuditEvent e, EventSlot slot, int start)
    {
        e.SetSlot(slot, new Utf8Slot(start, (int)reader.TokenStartIndex + 1 - start, false));
        return ParseResult.Success;
    }

    private static ParseResult ParseStringArray(ref Utf8JsonReader reader, AuditEvent e, EventSlot whole, EventSlot? first, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return ParseResult.Success;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return WrongType(ref reader, path, "an array of strings");
        }

        var start = (int)reader.TokenStartIndex;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return WrongType(ref reader, $"{path}[{index}]", "a string");
            }

            if (index == 0 && first is { } firstSlot)
            {
                Store(ref reader, e, firstSlot);
            }

            index++;
        }

        return StoreRange(ref reader, e, whole, start);
    }

    private static ParseResult StoreString(ref Utf8JsonReader reader, AuditEvent e, EventSlot slot, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            e.SetSlot(slot, Utf8Slot.Absent);
            return ParseResult.Success;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return WrongType(ref reader, path, "a string");
        }

        Store(ref reader, e, slot);
        return ParseResult.Success;
    }

    private static void Store(ref Utf8JsonReader reader, AuditEvent e, EventSlot slot) =>
        e.SetSlot(slot, new Utf8Slot((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, reader.ValueIsEscaped));

    private delegate bool Utf8EnumParser<T>(ReadOnlySpan<byte> utf8, out T value);

    /// <summary>Reads a string member that must be one of an enum's wire names.</summary>
    private static ParseResult ReadEnum<T>(ref Utf8JsonReader reader, string path, string member, Utf8EnumParser<T> parse, out T value)
    {
        value = default!;
        var r = ExpectString(ref reader, path);
        if (r.Outcome != ParseOutcome.Event)
        {
            return r;
        }

        return parse(reader.ValueSpan, out value)
            ? ParseResult.Success
            : ParseResult.Invalid($"unknown {member} {Quote(ref reader)}", path, reader.TokenStartIndex);
    }

    private static ParseResult ExpectString(ref Utf8JsonReader reader, string path) =>
        reader.TokenType == JsonTokenType.String ? ParseResult.Success : WrongType(ref reader, path, "a string");

    private static ParseResult StoreRaw(ref Utf8JsonReader reader, AuditEvent e, EventSlot slot, string path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return ParseResult.Success;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                e.SetSlot(slot, new Utf8Slot(start, (int)reader.TokenStartIndex + 1 - start, false));
                return ParseResult.Success;
            default:
                return WrongType(ref reader, path, "an object");
        }
    }

    private static ParseResult ReadTime(ref Utf8JsonReader reader, string path, out DateTimeOffset? time)
    {
        time = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return ParseResult.Success;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return WrongType(ref reader, path, "an RFC 3339 time string");
        }

        if (!reader.TryGetDateTimeOffset(out var value))
        {
            return ParseResult.Invalid($"{Quote(ref reader)} is not an RFC 3339 time", path, reader.TokenStartIndex);
        }

        time = value;
        return ParseResult.Success;
    }

    [ThreadStatic]
    private static byte[]? t_nameScratch;

    /// <summary>The property name's bytes, unescaped when the producer escaped it (hostile input may).</summary>
    private static ReadOnlySpan<byte> PropertyName(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        // An escaped name longer than the longest one we look for cannot match; don't decode it.
        var scratch = t_nameScratch ??= new byte[64];
        return reader.ValueSpan.Length <= scratch.Length ? scratch.AsSpan(0, reader.CopyString(scratch)) : "\0"u8;
    }

    private static ParseResult WrongType(ref Utf8JsonReader reader, string path, string expected) =>
        ParseResult.Invalid($"expected {expected}, found {Describe(reader.TokenType)}", path, reader.TokenStartIndex);

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    /// <summary>A short, quoted rendering of the current string token for error messages; long values are cut.</summary>
    private static string Quote(ref Utf8JsonReader reader)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : Describe(reader.TokenType);
        return text.Length > 40 ? $"\"{text[..40]}…\"" : $"\"{text}\"";
    }

    /// <summary>System.Text.Json's messages end with a path and position we report ourselves.</summary>
    internal static string CleanJsonMessage(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
