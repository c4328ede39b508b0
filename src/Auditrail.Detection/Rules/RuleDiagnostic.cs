namespace Auditrail.Detection.Rules;

/// <summary>Fixed codes for rule-pack problems (<c>AR2xxx</c>), so users and CI can filter them.</summary>
public static class RuleCodes
{
    public const string YamlSyntax = "AR2001";
    public const string UnknownDocument = "AR2002";
    public const string MissingField = "AR2003";
    public const string InvalidValue = "AR2004";
    public const string ConditionError = "AR2005";
    public const string NothingToAppendTo = "AR2006";
    public const string DuplicateName = "AR2007";
    public const string ExceptionError = "AR2008";
    public const string OutputError = "AR2009";
    public const string UnknownKey = "AR2010";

    /// <summary>A Falco rule file item that could not be translated; the rest of the file still loads.</summary>
    public const string FalcoUntranslated = "AR2011";

    /// <summary>A Falco rule file item translated with a caveat (Falco would have refused it, or reads it slightly differently).</summary>
    public const string FalcoNote = "AR2012";
}

/// <summary>One problem in a rule file, placed like a compiler error: <c>rules/x.yaml:12:5 AR2005 …</c>.</summary>
public sealed record RuleDiagnostic(string File, int Line, int Column, string Code, string Message, bool IsWarning = false)
{
    public override string ToString() => $"{File}:{Line}:{Column} {(IsWarning ? "warning" : "error")} {Code} {Message}";
}

/// <summary>Where something was written: file, line and column (1-based).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
