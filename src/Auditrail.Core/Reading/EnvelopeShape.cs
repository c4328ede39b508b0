using System.Text.Json;

namespace Auditrail.Core.Reading;

internal enum EnvelopeKind
{
    None,
    /// <summary>A JSON array: of Events, or of any record below.</summary>
    Array,
    /// <summary>audit.k8s.io EventList, as the webhook backend POSTs it.</summary>
    EventList,
    /// <summary>Azure diagnostic settings export: <c>{"records":[…]}</c>.</summary>
    AksRecords,
    /// <summary>One AKS record: <c>category</c> and <c>properties.log</c> holding the Event as a string.</summary>
    AksRecord,
    /// <summary>CloudWatch Logs output: <c>events</c> (filter-log-events, get-log-events) or <c>logEvents</c> (subscriptions).</summary>
    EksEvents,
    /// <summary>One CloudWatch record whose <c>message</c> (or Logs Insights <c>@message</c>) is the Event.</summary>
    EksRecord,
    /// <summary>GKE Cloud Logging LogEntry with an AuditLog protoPayload.</summary>
    GkeLogEntry,
}

/// <summary>What kind of envelope a JSON value is, found in one pass over its top-level members.</summary>
internal struct EnvelopeShape
{
    public EnvelopeKind Kind;
    public List<Range> Items;
    public string? ItemsName;
    public Range Message;
    public bool MessageIsString;
    public string? MessageName;
    public string? Category;

    public static EnvelopeShape Inspect(ReadOnlySpan<byte> json, int maxDepth, out string? jsonError)
    {
        jsonError = null;
        var shape = new EnvelopeShape { Items = [] };
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                CollectElements(ref reader, shape.Items);
                shape.Kind = EnvelopeKind.Array;
                return shape;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return shape;
            }

            InspectObject(ref reader, ref shape);
        }
        catch (JsonException ex)
        {
            jsonError = Parsing.AuditEventParser.CleanJsonMessage(ex);
        }

        return shape;
    }

    private static void InspectObject(ref Utf8JsonReader reader, ref EnvelopeShape shape)
    {
        string? kind = null;
        string? arrayName = null;
        var hasProtoPayload = false;
        var hasLog = false;
        var hasMessage = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "kind" when reader.TokenType == JsonTokenType.String:
                    kind = reader.GetString();
                    break;
                case "category" when reader.TokenType == JsonTokenType.String:
                    shape.Category = reader.GetString();
                    break;
                case "items" or "records" or "events" or "logEvents" when reader.TokenType == JsonTokenType.StartArray && arrayName is null:
                    arrayName = name;
                    CollectElements(ref reader, shape.Items);
                    break;
                case "message" or "@message" when reader.TokenType is JsonTokenType.String or JsonTokenType.StartObject:
                    hasMessage = true;
                    shape.MessageName = name;
                    shape.MessageIsString = reader.TokenType == JsonTokenType.String;
                    shape.Message = ValueRange(ref reader);
                    break;
                case "properties" when reader.TokenType == JsonTokenType.StartObject:
                    hasLog = FindLog(ref reader, ref shape);
                    break;
                case "protoPayload" when reader.TokenType == JsonTokenType.StartObject:
                    hasProtoPayload = true;
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        shape.ItemsName = arrayName;
        shape.Kind = (hasProtoPayload, arrayName, hasLog, hasMessage) switch
        {
            (true, _, _, _) => EnvelopeKind.GkeLogEntry,
            (_, "items", _, _) when kind is null or "EventList" => EnvelopeKind.EventList,
            (_, "records", _, _) => EnvelopeKind.AksRecords,
            (_, "events" or "logEvents", _, _) => EnvelopeKind.EksEvents,
            (_, _, true, _) => EnvelopeKind.AksRecord,
            (_, _, _, true) => EnvelopeKind.EksRecord,
            _ => EnvelopeKind.None,
        };
    }

    /// <summary>Finds <c>properties.log</c>, the AKS member that carries the Event.</summary>
    private static bool FindLog(ref Utf8JsonReader reader, ref EnvelopeShape shape)
    {
        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isLog = reader.ValueTextEquals("log"u8);
            reader.Read();
            if (isLog && reader.TokenType is JsonTokenType.String or JsonTokenType.StartObject)
            {
                found = true;
                shape.MessageIsString = reader.TokenType == JsonTokenType.String;
                shape.Message = ValueRange(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return found;
    }

    private static void CollectElements(ref Utf8JsonReader reader, List<Range> items)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(ValueRange(ref reader));
        }
    }

    /// <summary>The byte range of the current value, leaving the reader on its last token.</summary>
    private static Range ValueRange(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
            return new Range(start, (int)reader.TokenStartIndex + 1);
        }

        return new Range(start, (int)reader.BytesConsumed);
    }
}
