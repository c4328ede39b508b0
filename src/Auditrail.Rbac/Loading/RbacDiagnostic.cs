using Auditrail.Rbac.Model;

namespace Auditrail.Rbac.Loading;

public enum RbacDiagnosticSeverity
{
    /// <summary>Something skipped on purpose, such as an object of another kind.</summary>
    Info,

    /// <summary>Loaded, but probably not what was meant (a binding to a missing role, a subject that matches nobody).</summary>
    Warning,

    /// <summary>The apiserver would refuse this object or file; it was not loaded.</summary>
    Error,
}

/// <summary>
/// Fixed codes for RBAC input problems (<c>AR40xx</c>). Risk findings about what the loaded RBAC
/// allows have their own ids (<c>AR41xx</c>, see <c>RiskCatalog</c>).
/// </summary>
public static class RbacCodes
{
    public const string YamlSyntax = "AR4001";
    public const string CannotRead = "AR4002";
    public const string NotAnObject = "AR4003";
    public const string UnknownKind = "AR4004";
    public const string WrongType = "AR4005";
    public const string MissingField = "AR4006";
    public const string InvalidValue = "AR4007";
    public const string Duplicate = "AR4008";
    public const string UnknownField = "AR4009";
    public const string DeprecatedVersion = "AR4010";
    public const string UnresolvedRoleRef = "AR4011";
    public const string SubjectMatchesNobody = "AR4012";
    public const string RuleGrantsNothing = "AR4013";
    public const string AggregationProblem = "AR4014";
    public const string ClusterUnavailable = "AR4015";
    public const string NothingLoaded = "AR4016";
}

/// <summary>One problem found while loading, placed like a compiler message: <c>roles.yaml:12:5 error AR4005 rules[0].verbs must be a list</c>.</summary>
public sealed record RbacDiagnostic(string Code, RbacDiagnosticSeverity Severity, ManifestLocation Location, string Message)
{
    public bool IsError => Severity == RbacDiagnosticSeverity.Error;

    public override string ToString() => $"{Location} {Severity.ToString().ToLowerInvariant()} {Code} {Message}";
}
