using Auditrail.Detection.Rules;

namespace Auditrail.AuditPolicy.Loading;

public enum FindingSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>
/// Fixed codes for audit policy problems: <c>AR30xx</c> are what kube-apiserver would refuse (or
/// silently ignore) when loading the file, <c>AR31xx</c> are lint findings about what the policy does.
/// </summary>
public static class PolicyCodes
{
    public const string YamlSyntax = "AR3001";
    public const string NotAPolicy = "AR3002";
    public const string LevelRequired = "AR3003";
    public const string LevelInvalid = "AR3004";
    public const string NonResourceMixedWithResources = "AR3005";
    public const string NonResourceUrlNotAbsolute = "AR3006";
    public const string NonResourceWildcardNotLast = "AR3007";
    public const string OmitStageInvalid = "AR3008";
    public const string ResourceNamesWithoutResources = "AR3009";
    public const string GroupInvalid = "AR3010";
    public const string NoRules = "AR3011";
    public const string UnknownField = "AR3012";
    public const string WrongType = "AR3013";
    public const string DeprecatedVersion = "AR3014";

    public const string Unreachable = "AR3101";
    public const string SecretBodies = "AR3102";
    public const string RequestReceivedKept = "AR3103";
    public const string NoCatchAll = "AR3104";
    public const string ReadOnlySystemTrafficHigh = "AR3105";
    public const string SubresourceWildcardMatchesParent = "AR3106";
    public const string ResourceNamesNeverMatch = "AR3107";
}

/// <summary>
/// One problem or observation, placed like a compiler error:
/// <c>policy.yaml:12:5 warning AR3102 rules[3]: secrets are logged with their bodies</c>, with an
/// explanation of why it matters and what to do.
/// </summary>
public sealed record PolicyFinding(string Code, FindingSeverity Severity, SourceLocation Location, int? RuleIndex, string Message, string Explanation = "")
{
    public bool IsError => Severity == FindingSeverity.Error;

    public override string ToString()
    {
        var rule = RuleIndex is { } index ? $"rules[{index}]: " : string.Empty;
        return $"{Location} {Severity.ToString().ToLowerInvariant()} {Code} {rule}{Message}";
    }
}
