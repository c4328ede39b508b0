using System.Text;
using Auditrail.Admission.PodSecurity.Input;

namespace Auditrail.Admission.PodSecurity;

/// <summary>
/// One check a pod failed: the check's upstream id (<c>runAsNonRoot</c>, <c>privileged</c>,
/// <c>hostPathVolumes</c>…), the short reason and the specifics, worded as the apiserver words them.
/// </summary>
public sealed record PodSecurityViolation(string CheckId, string Reason, string Detail)
{
    /// <summary><c>reason (detail)</c>, the form PSA's messages list each failed check in.</summary>
    public override string ToString() => Detail.Length == 0 ? Reason : $"{Reason} ({Detail})";
}

/// <summary>
/// The outcome of evaluating one pod at one level and version. A pod is allowed when it fails no check
/// and every field the checks read could be decoded; a malformed field is never silently allowed.
/// </summary>
public sealed class PodSecurityResult
{
    internal PodSecurityResult(PodSecurityLevelVersion policy, IReadOnlyList<PodSecurityViolation> violations, IReadOnlyList<PodSecurityInputError> inputErrors)
    {
        Policy = policy;
        Violations = violations;
        InputErrors = inputErrors;
    }

    /// <summary>The level and version asked for, as written (<c>restricted:latest</c>, <c>baseline:v1.40</c>).</summary>
    public PodSecurityLevelVersion Policy { get; }

    /// <summary>The failed checks, in upstream's order (baseline check ids sorted, then restricted ones).</summary>
    public IReadOnlyList<PodSecurityViolation> Violations { get; }

    /// <summary>Fields the checks read that have the wrong JSON type; empty at the privileged level, which reads nothing.</summary>
    public IReadOnlyList<PodSecurityInputError> InputErrors { get; }

    public bool Allowed => Violations.Count == 0 && InputErrors.Count == 0;

    /// <summary>
    /// Every failed check as <c>reason (detail)</c>, comma-separated, as PSA's denial message and
    /// <c>audit-violations</c> annotation list them; malformed fields are listed last.
    /// </summary>
    public string ForbiddenDetail()
    {
        var builder = new StringBuilder();
        foreach (var violation in Violations)
        {
            builder.Append(builder.Length == 0 ? "" : ", ").Append(violation);
        }

        if (InputErrors.Count > 0)
        {
            builder.Append(builder.Length == 0 ? "" : ", ").Append("malformed pod (").AppendJoin("; ", InputErrors).Append(')');
        }

        return builder.ToString();
    }
}
