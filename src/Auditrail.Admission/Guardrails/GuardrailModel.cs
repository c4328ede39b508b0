using System.Text.Json;
using Auditrail.Admission.Review;

namespace Auditrail.Admission.Guardrails;

/// <summary>Where something was written (1-based line and column).</summary>
public readonly record struct SourcePlace(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>A CEL expression as written, and where its text begins in the file (to place compile errors).</summary>
public sealed record ExpressionText(string Text, SourcePlace Start, bool IsBlock);

/// <summary>What to do when an expression cannot be evaluated (a runtime error or the cost budget spent), as ValidatingAdmissionPolicy's failurePolicy.</summary>
public enum FailurePolicy
{
    /// <summary>The error is a finding with the guardrail's action (deny by default).</summary>
    Fail,

    /// <summary>The error is ignored: the check passes.</summary>
    Ignore,
}

/// <summary>One kind a guardrail applies to; "*" matches anything in that position.</summary>
public sealed record KindMatcher(string Group, string Version, string Kind)
{
    public bool Matches(GroupVersionKind gvk) =>
        (Group == "*" || string.Equals(Group, gvk.Group, StringComparison.Ordinal))
        && (Version == "*" || string.Equals(Version, gvk.Version, StringComparison.Ordinal))
        && (Kind == "*" || string.Equals(Kind, gvk.Kind, StringComparison.Ordinal));

    public override string ToString() => $"{(Group.Length == 0 ? "core" : Group)}/{Version}/{Kind}";
}

/// <summary>A label selector requirement (matchExpressions): In, NotIn, Exists, DoesNotExist.</summary>
public sealed record LabelRequirement(string Key, string Operator, IReadOnlyList<string> Values);

/// <summary>A Kubernetes label selector; empty selects everything.</summary>
public sealed record LabelSelector(IReadOnlyDictionary<string, string> MatchLabels, IReadOnlyList<LabelRequirement> MatchExpressions)
{
    public static readonly LabelSelector Everything = new(new Dictionary<string, string>(), []);

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in MatchLabels)
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in MatchExpressions)
        {
            var has = labels.TryGetValue(requirement.Key, out var actual);
            var ok = requirement.Operator switch
            {
                "In" => has && requirement.Values.Contains(actual!),
                "NotIn" => !has || !requirement.Values.Contains(actual!),
                "Exists" => has,
                _ => !has,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Which requests a guardrail applies to. Empty lists place no restriction.</summary>
public sealed record GuardrailMatch
{
    public IReadOnlyList<KindMatcher> Kinds { get; init; } = [];

    /// <summary>Default CREATE and UPDATE: a guardrail on objects rarely means to judge a DELETE.</summary>
    public IReadOnlyList<AdmissionOperation> Operations { get; init; } = [AdmissionOperation.Create, AdmissionOperation.Update];

    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public IReadOnlyList<string> ExcludeNamespaces { get; init; } = [];

    public LabelSelector? NamespaceSelector { get; init; }

    public IReadOnlyList<string> Users { get; init; } = [];

    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Subresources the guardrail also judges (<c>ephemeralcontainers</c>); requests for other subresources never match.</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];
}

public sealed record GuardrailVariable(string Name, ExpressionText Expression);

public sealed record GuardrailValidation(string Id, ExpressionText Expression, string? Message, ExpressionText? MessageExpression, string Reason, SourcePlace Place);

/// <summary>A label or annotation to add: a literal value, or a CEL expression whose string result is the value.</summary>
public sealed record MetadataEntry(string Key, string? Value, ExpressionText? ValueExpression, bool Overwrite);

/// <summary>A field to set when absent; <see cref="Path"/> segments are names, or <c>*</c> for every element of a list.</summary>
public sealed record FieldDefault(IReadOnlyList<string> Path, string PathText, JsonElement? Value, ExpressionText? ValueExpression);

public sealed record GuardrailMutation(
    string Id,
    ExpressionText? Condition,
    IReadOnlyList<MetadataEntry> Labels,
    IReadOnlyList<MetadataEntry> Annotations,
    IReadOnlyList<FieldDefault> Defaults,
    SourcePlace Place);

/// <summary>One <c>auditrail.io/v1alpha1 Guardrail</c> document, as written.</summary>
public sealed record GuardrailDefinition
{
    public required string Name { get; init; }

    public required SourcePlace Place { get; init; }

    public string Description { get; init; } = string.Empty;

    public FindingAction Action { get; init; } = FindingAction.Deny;

    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.Fail;

    /// <summary>For PolicyReports: low, medium, high, critical or info.</summary>
    public string? Severity { get; init; }

    public string? Category { get; init; }

    public GuardrailMatch Match { get; init; } = new();

    /// <summary>The inline <c>params</c> object, or null.</summary>
    public JsonElement? Params { get; init; }

    public IReadOnlyList<GuardrailVariable> Variables { get; init; } = [];

    public IReadOnlyList<GuardrailValidation> Validations { get; init; } = [];

    public IReadOnlyList<GuardrailMutation> Mutations { get; init; } = [];
}
