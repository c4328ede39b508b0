using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Review;
using Auditrail.Cel;
using Auditrail.Cel.Runtime;

namespace Auditrail.Admission.Guardrails;

/// <summary>
/// One guardrail ready to run: a validator (its validations become findings with the guardrail's
/// action) and a mutator (its mutations become JSON Patch operations). Immutable, so one instance
/// serves concurrent reviews; each review gets its own activation.
/// </summary>
public sealed class CompiledGuardrail : IAdmissionValidator, IAdmissionMutator
{
    private readonly CelProgram[] _variables;
    private readonly IReadOnlyList<CompiledValidation> _validations;
    private readonly IReadOnlyList<CompiledMutation> _mutations;
    private readonly CelValue _params;

    internal CompiledGuardrail(GuardrailDefinition definition, CelProgram[] variables, IReadOnlyList<CompiledValidation> validations, IReadOnlyList<CompiledMutation> mutations)
    {
        Definition = definition;
        _variables = variables;
        _validations = validations;
        _mutations = mutations;
        _params = definition.Params is { } parameters ? JsonValues.From(parameters) : CelValue.Null;
    }

    public GuardrailDefinition Definition { get; }

    public string Name => Definition.Name;

    public bool HasValidations => _validations.Count > 0;

    public bool HasMutations => _mutations.Count > 0;

    /// <summary>Whether the guardrail's match selects the request (kind, operation, namespace, user).</summary>
    public bool Matches(AdmissionRequest request, AdmissionContext context) =>
        GuardrailMatcher.Matches(Definition.Match, request, ReviewInputs.For(request, context));

    public void Validate(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result)
    {
        var inputs = ReviewInputs.For(request, context);
        if (_validations.Count == 0 || !GuardrailMatcher.Matches(Definition.Match, request, inputs))
        {
            return;
        }

        var activation = new GuardrailActivation(inputs, _params, _variables);
        foreach (var validation in _validations)
        {
            var outcome = validation.Check.Evaluate(activation);
            if (outcome.IsTrue)
            {
                continue;
            }

            if (outcome.Kind == CelKind.Bool)
            {
                result.Findings.Add(new AdmissionFinding(Name, validation.Definition.Id, Message(validation, activation), Definition.Action, Reason: validation.Definition.Reason));
            }
            else
            {
                EvaluationFailed(result, validation.Definition.Id, Describe(outcome));
            }
        }
    }

    public void Mutate(AdmissionRequest request, AdmissionContext context, AdmissionCheckResult result)
    {
        var inputs = ReviewInputs.For(request, context);
        if (_mutations.Count == 0 || request.Object is not { } obj || !GuardrailMatcher.Matches(Definition.Match, request, inputs))
        {
            return;
        }

        var activation = new GuardrailActivation(inputs, _params, _variables);
        var patch = new PatchBuilder(obj);
        foreach (var mutation in _mutations)
        {
            if (mutation.Condition is { } condition)
            {
                var applies = condition.Evaluate(activation);
                if (!applies.IsTrue)
                {
                    if (applies.Kind != CelKind.Bool)
                    {
                        EvaluationFailed(result, mutation.Definition.Id, "condition: " + Describe(applies));
                    }

                    continue;
                }
            }

            AddMetadata(patch, "labels", mutation.Labels, mutation.Definition.Id, activation, result, isLabel: true);
            AddMetadata(patch, "annotations", mutation.Annotations, mutation.Definition.Id, activation, result, isLabel: false);
            foreach (var fieldDefault in mutation.Defaults)
            {
                if (Value(fieldDefault, activation, mutation.Definition.Id, result) is not { } value)
                {
                    continue;
                }

                foreach (var tokens in patch.Expand(fieldDefault.Definition.Path))
                {
                    patch.Set(tokens, value.DeepClone(), overwrite: false);
                }
            }
        }

        result.Patch.AddRange(patch.Operations);
    }

    private void AddMetadata(PatchBuilder patch, string field, IReadOnlyList<CompiledEntry> entries, string mutationId, GuardrailActivation activation, AdmissionCheckResult result, bool isLabel)
    {
        foreach (var entry in entries)
        {
            string? value = entry.Definition.Value;
            if (entry.Value is { } program)
            {
                var computed = Unwrap(program.Evaluate(activation));
                switch (computed.Kind)
                {
                    // Nothing to copy (an optional that is empty, a null): the label is simply not added.
                    case CelKind.Null:
                    case CelKind.Optional:
                        continue;
                    case CelKind.String or CelKind.Int or CelKind.Uint or CelKind.Bool:
                        value = computed.Kind == CelKind.String ? computed.AsString : computed.ToString().TrimEnd('u');
                        break;
                    case CelKind.Error:
                        EvaluationFailed(result, mutationId, $"{field} '{entry.Definition.Key}': {Describe(computed)}");
                        continue;
                    default:
                        result.Findings.Add(new AdmissionFinding(Name, mutationId,
                            $"{field} '{entry.Definition.Key}' not set: the value is a {computed.RuntimeType.Display}, not a string", FindingAction.Warn));
                        continue;
                }
            }

            if (isLabel && !MetadataNames.IsLabelValue(value!))
            {
                result.Findings.Add(new AdmissionFinding(Name, mutationId, $"label '{entry.Definition.Key}' not set: '{value}' is not a valid label value", FindingAction.Warn));
                continue;
            }

            patch.Set(["metadata", field, entry.Definition.Key], JsonValue.Create(value)!, entry.Definition.Overwrite);
        }
    }

    private JsonNode? Value(CompiledDefault fieldDefault, GuardrailActivation activation, string mutationId, AdmissionCheckResult result)
    {
        if (fieldDefault.Value is null)
        {
            return JsonNode.Parse(fieldDefault.Definition.Value!.Value.GetRawText());
        }

        var computed = Unwrap(fieldDefault.Value.Evaluate(activation));
        switch (computed.Kind)
        {
            case CelKind.Null or CelKind.Optional:
                return null;
            case CelKind.Error or CelKind.Unknown:
                EvaluationFailed(result, mutationId, $"default '{fieldDefault.Definition.PathText}': {Describe(computed)}");
                return null;
            default:
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    CelJson.Write(writer, computed);
                }

                return JsonNode.Parse(buffer.WrittenSpan);
        }
    }

    /// <summary>An optional with a value is that value; an empty one stays an optional (meaning: nothing).</summary>
    private static CelValue Unwrap(CelValue value) =>
        value.Kind == CelKind.Optional && value.AsOptional.HasValue ? value.AsOptional.Value : value;

    /// <summary>
    /// A runtime error, a non-bool result or a spent cost budget: with failurePolicy Fail a finding with
    /// the guardrail's action, as ValidatingAdmissionPolicy treats evaluation errors; with Ignore nothing.
    /// </summary>
    private void EvaluationFailed(AdmissionCheckResult result, string id, string problem)
    {
        if (Definition.FailurePolicy == FailurePolicy.Fail)
        {
            result.Findings.Add(new AdmissionFinding(Name, id, $"could not be evaluated (failurePolicy Fail): {problem}", Definition.Action));
        }
    }

    private static string Describe(CelValue value) => value.Kind switch
    {
        CelKind.Error => value.AsError.Message,
        _ => $"expected a bool, got {value.RuntimeType.Display}",
    };

    /// <summary>The messageExpression's result when it is a usable string; else the static message; else the expression, as ValidatingAdmissionPolicy falls back.</summary>
    private static string Message(CompiledValidation validation, GuardrailActivation activation)
    {
        if (validation.Message is { } program)
        {
            var text = program.Evaluate(activation);
            if (text.Kind == CelKind.String && text.AsString.Trim().Length > 0 && !text.AsString.Contains('\n', StringComparison.Ordinal))
            {
                return text.AsString.Trim();
            }
        }

        return validation.Definition.Message ?? $"failed expression: {validation.Definition.Expression.Text.Trim()}";
    }

    public override string ToString() => Name;
}
