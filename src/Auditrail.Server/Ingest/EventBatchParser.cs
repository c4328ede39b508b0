using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Auditrail.Server.Ingest;

/// <summary>An event's place in the request body, and its index in <c>items</c> (-1: the body is the event).</summary>
internal readonly record struct EventSpan(int Start, int Length, int Index)
{
    public string Path => Index < 0 ? "$" : EventBatchParser.ItemPath(Index);
}

/// <summary>An item left out of a batch, with where it was and why.</summary>
internal readonly record struct SkippedItem(string Path, string Reason);

/// <summary>Why a whole body was refused: nothing of it is appended.</summary>
internal readonly record struct BatchError(string Path, string Reason, bool TooLarge = false);

/// <summary>What a body holds: the events to append and the items skipped.</summary>
internal sealed class ParsedBatch
{
    /// <summary>Warnings listed in a response at most; the count covers all of them.</summary>
    public const int MaxListedSkips = 100;

    public List<EventSpan> Events { get; } = [];

    public List<SkippedItem> Skipped { get; } = [];

    public int SkippedCount { get; private set; }

    public void Skip(string path, string reason)
    {
        SkippedCount++;
        if (Skipped.Count < MaxListedSkips)
        {
            Skipped.Add(new SkippedItem(path, reason));
        }
    }
}

/// <summary>
/// Finds the audit events in a webhook body (an audit.k8s.io <c>EventList</c>, or one <c>Event</c>) in one
/// pass of <see cref="Utf8JsonReader"/> over the bytes, without building a document: each event is
/// located by its byte range and copied later straight from the body. The whole body is checked before
/// anything is accepted, so a malformed body is refused whole, with the JSON path of the problem.
/// </summary>
internal static class EventBatchParser
{
    private static readonly string[] RequiredMembers = ["auditID", "stage", "verb"];

    [Flags]
    private enum Seen
    {
        None = 0,
        AuditId = 1,
        Stage = 2,
        Verb = 4,
        All = AuditId | Stage | Verb,
    }

    private enum RootMember
    {
        Other,
        Kind,
        ApiVersion,
        Items,
    }

    /// <summary>A container on the way down, kept only to name the path of an error.</summary>
    private struct Frame
    {
        public bool IsArray;
        public int Index;
        public int NameStart;
        public int NameLength;
    }

    public static bool TryParse(ReadOnlySpan<byte> body, int maxDepth, int maxEventBytes, ParsedBatch batch, out BatchError error)
    {
        var frames = new Frame[maxDepth + 1];
        var depth = 0;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = maxDepth });
        string? kind = null;
        string? apiVersion = null;
        var hasItems = false;
        var rootSeen = Seen.None;
        var rootMember = RootMember.Other;
        var itemSeen = Seen.None;
        var itemStart = 0;
        var itemIsEvent = false;
        var pendingItemMember = Seen.None;
        var pendingRootMember = Seen.None;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = new BatchError("$", "expected a JSON object: an audit.k8s.io EventList or Event");
                return false;
            }

            frames[0] = default;
            depth = 1;
            while (reader.Read())
            {
                var token = reader.TokenType;
                var level = reader.CurrentDepth;
                if (token == JsonTokenType.PropertyName)
                {
                    frames[depth - 1].NameStart = (int)reader.TokenStartIndex + 1;
                    frames[depth - 1].NameLength = reader.ValueSpan.Length;
                    if (level == 1)
                    {
                        rootMember = reader.ValueTextEquals("kind"u8) ? RootMember.Kind
                            : reader.ValueTextEquals("apiVersion"u8) ? RootMember.ApiVersion
                            : reader.ValueTextEquals("items"u8) ? RootMember.Items
                            : RootMember.Other;
                        pendingRootMember = MemberOf(ref reader);
                    }
                    else if (level == 3 && itemIsEvent)
                    {
                        pendingItemMember = MemberOf(ref reader);
                    }

                    continue;
                }

                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    depth--;
                    if (level == 2 && itemIsEvent && token == JsonTokenType.EndObject)
                    {
                        FinishItem(body, itemStart, (int)reader.BytesConsumed, itemSeen, frames[1].Index, maxEventBytes, batch);
                        itemIsEvent = false;
                    }

                    continue;
                }

                // A value starts: count it in an enclosing array so the path names it.
                if (frames[depth - 1].IsArray)
                {
                    frames[depth - 1].Index++;
                }

                if (level == 1)
                {
                    if (!RootValue(body, ref reader, rootMember, ref kind, ref apiVersion, ref hasItems, out error))
                    {
                        return false;
                    }

                    if (pendingRootMember != Seen.None && IsNonEmptyString(ref reader))
                    {
                        rootSeen |= pendingRootMember;
                    }

                    pendingRootMember = Seen.None;
                }
                else if (level == 2 && rootMember == RootMember.Items)
                {
                    if (token == JsonTokenType.StartObject)
                    {
                        itemIsEvent = true;
                        itemSeen = Seen.None;
                        itemStart = (int)reader.TokenStartIndex;
                    }
                    else
                    {
                        batch.Skip(ItemPath(frames[1].Index), $"an event must be a JSON object, found {Describe(body, reader.TokenStartIndex)}");
                    }
                }
                else if (level == 3 && itemIsEvent)
                {
                    if (pendingItemMember != Seen.None && IsNonEmptyString(ref reader))
                    {
                        itemSeen |= pendingItemMember;
                    }

                    pendingItemMember = Seen.None;
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    frames[depth] = new Frame { IsArray = token == JsonTokenType.StartArray, Index = -1 };
                    depth++;
                }
            }
        }
        catch (JsonException ex)
        {
            var path = PathOf(body, frames, depth);
            error = depth >= maxDepth
                ? new BatchError(path, $"JSON nested deeper than {maxDepth.ToString(CultureInfo.InvariantCulture)} levels")
                : new BatchError(path, $"not well-formed JSON: {ex.Message}");
            return false;
        }

        return Conclude(body, kind, apiVersion, hasItems, rootSeen, maxEventBytes, batch, out error);
    }

    /// <summary>Decides what the body was once it is known to be well-formed.</summary>
    private static bool Conclude(ReadOnlySpan<byte> body, string? kind, string? apiVersion, bool hasItems, Seen rootSeen, int maxEventBytes, ParsedBatch batch, out BatchError error)
    {
        if (apiVersion is not null && apiVersion != "audit.k8s.io/v1" && apiVersion != "audit.k8s.io/v1beta1")
        {
            error = new BatchError("$.apiVersion", $"expected audit.k8s.io/v1 or audit.k8s.io/v1beta1, found '{Shorten(apiVersion)}'");
            return false;
        }

        var isList = kind == "EventList" || (kind is null && hasItems);
        var isEvent = kind == "Event" || (kind is null && !hasItems && rootSeen != Seen.None);
        if (kind is not null && !isList && !isEvent)
        {
            error = new BatchError("$.kind", $"expected EventList or Event, found '{Shorten(kind)}'");
            return false;
        }

        if (isList)
        {
            error = default;
            return true;
        }

        if (!isEvent)
        {
            error = new BatchError("$", "not an audit.k8s.io EventList or Event: no kind, items or auditID");
            return false;
        }

        if (rootSeen != Seen.All)
        {
            error = new BatchError("$", NotAnEvent(rootSeen));
            return false;
        }

        var trimmed = body.TrimEnd(" \t\r\n"u8).Length;
        var start = body.Length - body.TrimStart(" \t\r\n"u8).Length;
        if (trimmed - start > maxEventBytes)
        {
            error = new BatchError("$", $"the event is larger than the {maxEventBytes.ToString("N0", CultureInfo.InvariantCulture)}-byte limit", TooLarge: true);
            return false;
        }

        batch.Events.Add(new EventSpan(start, trimmed - start, -1));
        error = default;
        return true;
    }

    private static void FinishItem(ReadOnlySpan<byte> body, int start, int end, Seen seen, int index, int maxEventBytes, ParsedBatch batch)
    {
        if (end - start > maxEventBytes)
        {
            batch.Skip(ItemPath(index), $"the event is {(end - start).ToString("N0", CultureInfo.InvariantCulture)} bytes, over the {maxEventBytes.ToString("N0", CultureInfo.InvariantCulture)}-byte limit");
        }
        else if (seen != Seen.All)
        {
            batch.Skip(ItemPath(index), NotAnEvent(seen));
        }
        else
        {
            batch.Events.Add(new EventSpan(start, end - start, index));
        }
    }

    private static bool RootValue(ReadOnlySpan<byte> body, ref Utf8JsonReader reader, RootMember member, ref string? kind, ref string? apiVersion, ref bool hasItems, out BatchError error)
    {
        error = default;
        switch (member)
        {
            case RootMember.Kind when reader.TokenType == JsonTokenType.String:
                kind = reader.GetString();
                return true;
            case RootMember.ApiVersion when reader.TokenType == JsonTokenType.String:
                apiVersion = reader.GetString();
                return true;
            case RootMember.Items when reader.TokenType == JsonTokenType.StartArray:
                hasItems = true;
                return true;
            case RootMember.Items when reader.TokenType == JsonTokenType.Null:
                return true;
            case RootMember.Kind or RootMember.ApiVersion:
                error = new BatchError(member == RootMember.Kind ? "$.kind" : "$.apiVersion", $"expected a string, found {Describe(body, reader.TokenStartIndex)}");
                return false;
            case RootMember.Items:
                error = new BatchError("$.items", $"expected an array of events, found {Describe(body, reader.TokenStartIndex)}");
                return false;
            default:
                return true;
        }
    }

    private static Seen MemberOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("auditID"u8) ? Seen.AuditId
        : reader.ValueTextEquals("stage"u8) ? Seen.Stage
        : reader.ValueTextEquals("verb"u8) ? Seen.Verb
        : Seen.None;

    private static bool IsNonEmptyString(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;

    private static string NotAnEvent(Seen seen)
    {
        var missing = new List<string>(3);
        for (var i = 0; i < RequiredMembers.Length; i++)
        {
            if (((int)seen & (1 << i)) == 0)
            {
                missing.Add(RequiredMembers[i]);
            }
        }

        return $"not an audit event: {string.Join(", ", missing)} missing or not a non-empty string";
    }

    internal static string ItemPath(int index) => $"$.items[{index.ToString(CultureInfo.InvariantCulture)}]";

    private static string PathOf(ReadOnlySpan<byte> body, Frame[] frames, int depth)
    {
        var path = new StringBuilder("$");
        for (var i = 0; i < depth && i < frames.Length; i++)
        {
            var frame = frames[i];
            if (frame.IsArray)
            {
                if (frame.Index >= 0)
                {
                    path.Append('[').Append(frame.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
            }
            else if (frame.NameLength > 0)
            {
                path.Append('.').Append(Encoding.UTF8.GetString(body.Slice(frame.NameStart, Math.Min(frame.NameLength, 64))));
            }
        }

        return path.ToString();
    }

    /// <summary>Names a value by its first byte, which in JSON says what it is.</summary>
    private static string Describe(ReadOnlySpan<byte> body, long tokenStart) => body[(int)tokenStart] switch
    {
        (byte)'{' => "an object",
        (byte)'[' => "an array",
        (byte)'"' => "a string",
        (byte)'t' or (byte)'f' => "a boolean",
        (byte)'n' => "null",
        _ => "a number",
    };

    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
