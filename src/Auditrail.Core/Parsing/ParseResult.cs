namespace Auditrail.Core.Parsing;

internal enum ParseOutcome
{
    /// <summary>The bytes held an audit Event and the target event is filled.</summary>
    Event,
    /// <summary>Well-formed JSON that is something else (an envelope, an EventList, another kind).</summary>
    NotAnEvent,
    /// <summary>Malformed JSON or an Event with a field of the wrong type.</summary>
    Invalid,
}

/// <summary>What the parser made of one JSON value; on failure, why and where.</summary>
internal readonly record struct ParseResult(ParseOutcome Outcome, string? Error = null, string? JsonPath = null, long BytePosition = 0)
{
    public static readonly ParseResult Success = new(ParseOutcome.Event);

    public static ParseResult NotEvent(string reason) => new(ParseOutcome.NotAnEvent, reason);

    public static ParseResult Invalid(string error, string? path, long position) => new(ParseOutcome.Invalid, error, path, position);
}
