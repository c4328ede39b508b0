namespace Auditrail.Server.Configuration;

/// <summary>Fixed codes for serve configuration problems (<c>AR70xx</c>).</summary>
public static class ConfigCodes
{
    public const string YamlSyntax = "AR7001";
    public const string NotAConfiguration = "AR7002";
    public const string UnknownField = "AR7003";
    public const string WrongType = "AR7004";
    public const string InvalidValue = "AR7005";
    public const string MissingFile = "AR7006";
    public const string Conflict = "AR7007";
}

/// <summary>
/// One reason the configuration is refused, placed like a compiler error:
/// <c>serve.yaml:7:18 error AR7005 admission.failurePolicy: expected Fail or Ignore, found 'fail'</c>.
/// Line 0 means the problem has no place in the file (a command-line option, a missing file).
/// </summary>
public sealed record ConfigProblem(string File, int Line, int Column, string Code, string FieldPath, string Message)
{
    public override string ToString()
    {
        var place = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        var field = FieldPath.Length > 0 ? $"{FieldPath}: " : string.Empty;
        return $"{place} error {Code} {field}{Message}";
    }
}

/// <summary>A configuration, or every problem that kept it from being one.</summary>
public sealed record ConfigLoadResult(ServeConfiguration? Configuration, IReadOnlyList<ConfigProblem> Problems)
{
    public bool IsValid => Configuration is not null && Problems.Count == 0;
}
