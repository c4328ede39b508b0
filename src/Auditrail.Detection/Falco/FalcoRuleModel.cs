using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Falco;

/// <summary>
/// Text assembled from pieces of rule files (a condition and what later files appended to it), able
/// to say where in which file a character came from.
/// </summary>
public sealed record FalcoText(string Text, IReadOnlyList<(int Start, SourceLocation Location)> Pieces)
{
    public static FalcoText From(string text, SourceLocation location) => new(text, [(0, location)]);

    /// <summary>Falco appends with one space between the old text and the new.</summary>
    public FalcoText Append(FalcoText more) =>
        new($"{Text} {more.Text}", [.. Pieces, .. more.Pieces.Select(p => (p.Start + Text.Length + 1, p.Location))]);

    /// <summary>The file, line and column of the character at <paramref name="offset"/>.</summary>
    public SourceLocation Locate(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var (start, location) = Pieces.Last(p => p.Start <= offset);
        var before = Text.AsSpan(start, offset - start);
        var newlines = before.Count('\n');
        if (newlines == 0)
        {
            return location with { Column = location.Column > 0 ? location.Column + before.Length : 0 };
        }

        return location with { Line = location.Line + newlines, Column = before.Length - before.LastIndexOf('\n') };
    }
}

/// <summary>An exception's <c>fields</c>, <c>comps</c> or a value: one string, or a list of them (values nest).</summary>
public sealed record FalcoEntry(string? Item, IReadOnlyList<FalcoEntry>? Items)
{
    public bool IsList => Items is not null;

    public static FalcoEntry Scalar(string item) => new(item, null);

    public static FalcoEntry List(IReadOnlyList<FalcoEntry> items) => new(null, items);
}

/// <summary>A Falco rule exception: rows of values the fields are compared with (by <c>comps</c>).</summary>
public sealed record FalcoException(string Name, FalcoEntry? Fields, FalcoEntry? Comps, IReadOnlyList<FalcoEntry> Values, SourceLocation Location);

/// <summary>A list after appends: items as written (list names among them are expanded when translating).</summary>
public sealed class FalcoList(string name, SourceLocation location, int index)
{
    public string Name { get; } = name;
    public SourceLocation Location { get; set; } = location;
    public List<string> Items { get; } = [];

    /// <summary>When the list was first defined; a list sees the lists defined before it.</summary>
    public int Index { get; } = index;

    /// <summary>When the list was last defined or appended to.</summary>
    public int Visibility { get; set; } = index;
}

public sealed class FalcoMacro(string name, FalcoText condition, SourceLocation location)
{
    public string Name { get; } = name;
    public FalcoText Condition { get; set; } = condition;
    public SourceLocation Location { get; set; } = location;
}

/// <summary>A rule after appends and overrides.</summary>
public sealed class FalcoRule(string name, SourceLocation location)
{
    public string Name { get; } = name;
    public SourceLocation Location { get; set; } = location;
    public string Description { get; set; } = string.Empty;
    public FalcoText Condition { get; set; } = FalcoText.From(string.Empty, location);
    public FalcoText Output { get; set; } = FalcoText.From(string.Empty, location);
    public string Priority { get; set; } = "WARNING";
    public string Source { get; set; } = FalcoPriorities.SyscallSource;
    public List<string> Tags { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public List<FalcoException> Exceptions { get; set; } = [];
}

/// <summary>Falco's rule priorities and what they become as our severities.</summary>
public static class FalcoPriorities
{
    /// <summary>The source a Falco rule has when it names none.</summary>
    public const string SyscallSource = "syscall";

    public const string K8sAuditSource = "k8s_audit";

    /// <summary>The priority as Falco spells it in its statistics (upper case), or null when it is not one.</summary>
    public static string? Normalize(string priority) => priority.ToUpperInvariant() switch
    {
        "EMERGENCY" => "EMERGENCY",
        "ALERT" => "ALERT",
        "CRITICAL" => "CRITICAL",
        "ERROR" => "ERROR",
        "WARNING" => "WARNING",
        "NOTICE" => "NOTICE",
        "INFO" or "INFORMATIONAL" => "INFORMATIONAL",
        "DEBUG" => "DEBUG",
        _ => null,
    };

    /// <summary>
    /// Emergency, alert and critical are critical; error is high; warning is medium; notice is low;
    /// informational and debug are info.
    /// </summary>
    public static Severity ToSeverity(string normalizedPriority) => normalizedPriority switch
    {
        "EMERGENCY" or "ALERT" or "CRITICAL" => Severity.Critical,
        "ERROR" => Severity.High,
        "WARNING" => Severity.Medium,
        "NOTICE" => Severity.Low,
        _ => Severity.Info,
    };
}
