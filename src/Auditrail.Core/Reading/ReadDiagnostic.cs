namespace Auditrail.Core.Reading;

public enum DiagnosticSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>Fixed codes so users and CI can filter diagnostics (<c>AR1xxx</c> belong to the reader).</summary>
public static class DiagnosticCodes
{
    public const string MalformedJson = "AR1001";
    public const string InvalidEvent = "AR1002";
    public const string NotAnAuditEvent = "AR1003";
    public const string EventTooLarge = "AR1004";
    public const string InvalidUtf8 = "AR1005";
    public const string TruncatedInput = "AR1006";
    public const string UnreadableSource = "AR1007";
    public const string NotJson = "AR1008";
    public const string SkippedRecord = "AR1009";
    public const string EnvelopeError = "AR1010";
    public const string SkippedBytes = "AR1011";
    public const string Unredactable = "AR1012";
}

/// <summary>A problem with one record or source, with where it is: file, line, byte offset and JSON path.</summary>
public sealed record ReadDiagnostic(
    DiagnosticSeverity Severity,
    string Code,
    string Source,
    long Line,
    long ByteOffset,
    string? JsonPath,
    string Message)
{
    /// <summary><c>file:line</c> (or <c>file@offset</c> when the line is unknown), then the JSON path if any.</summary>
    public string Location
    {
        get
        {
            var where = Line > 0 ? $"{Source}:{Line}" : ByteOffset > 0 ? $"{Source}@{ByteOffset}" : Source;
            return JsonPath is null or "$" ? where : $"{where} {JsonPath}";
        }
    }

    public override string ToString() => $"{Location}: {Severity.ToString().ToLowerInvariant()} {Code} {Message}";
}
