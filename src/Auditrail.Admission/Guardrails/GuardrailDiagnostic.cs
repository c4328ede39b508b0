namespace Auditrail.Admission.Guardrails;

/// <summary>Fixed codes for problems in guardrail documents, manifests and test suites (<c>AR50xx</c>–<c>AR52xx</c>).</summary>
public static class AdmissionCodes
{
    /// <summary>A file that cannot be read, or is not YAML.</summary>
    public const string YamlSyntax = "AR5001";

    /// <summary>A document that is not an <c>auditrail.io/v1alpha1 Guardrail</c>.</summary>
    public const string UnknownDocument = "AR5002";

    public const string UnknownField = "AR5003";

    public const string MissingField = "AR5004";

    /// <summary>A field of the wrong type or with a value outside its set.</summary>
    public const string InvalidValue = "AR5005";

    /// <summary>A CEL expression that does not compile; the position is the expression's own.</summary>
    public const string ExpressionError = "AR5006";

    public const string DuplicateName = "AR5007";

    /// <summary>A manifest (an object to check) that cannot be read or parsed.</summary>
    public const string ManifestSyntax = "AR5101";

    /// <summary>A manifest document that is not a Kubernetes object (no apiVersion or kind).</summary>
    public const string NotAnObject = "AR5102";

    /// <summary>A problem in a <c>GuardrailTest</c> suite.</summary>
    public const string SuiteError = "AR5201";
}

/// <summary>One problem, placed like a compiler error: <c>guardrails/x.yaml:12:5 error AR5006 …</c>.</summary>
public sealed record AdmissionDiagnostic(string File, int Line, int Column, string Code, string Message, bool IsWarning = false)
{
    public override string ToString() => $"{File}:{Line}:{Column} {(IsWarning ? "warning" : "error")} {Code} {Message}";
}
