using Auditrail.Cel;
using Auditrail.Cel.Runtime;

namespace Auditrail.Admission.Guardrails;

/// <summary>
/// Compiles guardrail definitions: one CEL environment per guardrail with ValidatingAdmissionPolicy's
/// variables (<c>object</c>, <c>oldObject</c>, <c>request</c>, <c>namespaceObject</c>, <c>params</c>)
/// and the guardrail's own <c>variables.NAME</c>, each visible to the variables after it and to every
/// validation and mutation. A compile error is reported at its place in the file and leaves the
/// guardrail out; the other guardrails still compile.
/// </summary>
public static class GuardrailCompiler
{
    /// <summary>The fixed variables, in declaration order: their indexes are what activations supply.</summary>
    internal static readonly string[] StandardVariables = ["object", "oldObject", "request", "namespaceObject", "params"];

    public static IReadOnlyList<CompiledGuardrail> Compile(IEnumerable<GuardrailDefinition> definitions, List<AdmissionDiagnostic> diagnostics, EvaluationLimits? limits = null)
    {
        var compiled = new List<CompiledGuardrail>();
        foreach (var definition in definitions)
        {
            if (Compile(definition, diagnostics, limits) is { } guardrail)
            {
                compiled.Add(guardrail);
            }
        }

        return compiled;
    }

    public static CompiledGuardrail? Compile(GuardrailDefinition definition, List<AdmissionDiagnostic> diagnostics, EvaluationLimits? limits = null)
    {
        var environment = new CelEnvironment { Limits = limits ?? EvaluationLimits.Default };
        foreach (var name in StandardVariables)
        {
            environment.Declare(name, CelType.Dyn);
        }

        var errorsBefore = diagnostics.Count;
        var variables = new List<CelProgram>();
        foreach (var variable in definition.Variables)
        {
            // Declared after its own expression compiles: a variable sees only those before it, so there are no cycles.
            if (Program(environment, variable.Expression, $"variable '{variable.Name}'", definition, diagnostics) is { } program)
            {
                variables.Add(program);
            }

            environment.Declare("variables." + variable.Name, CelType.Dyn);
        }

        var validations = new List<CompiledValidation>();
        foreach (var validation in definition.Validations)
        {
            var check = Program(environment, validation.Expression, $"validation '{validation.Id}'", definition, diagnostics);
            var message = validation.MessageExpression is { } text
                ? Program(environment, text, $"validation '{validation.Id}' messageExpression", definition, diagnostics)
                : null;
            if (check is not null && check.ResultType.Kind is not (CelTypeKind.Bool or CelTypeKind.Dyn))
            {
                Error(diagnostics, validation.Expression, $"guardrail '{definition.Name}': validation '{validation.Id}' is of type {check.ResultType.Display}, not bool");
            }

            if (check is not null)
            {
                validations.Add(new CompiledValidation(validation, check, message));
            }
        }

        var mutations = new List<CompiledMutation>();
        foreach (var mutation in definition.Mutations)
        {
            var what = $"mutation '{mutation.Id}'";
            var condition = mutation.Condition is { } c ? Program(environment, c, what + " condition", definition, diagnostics) : null;
            var labels = mutation.Labels.Select(e => Entry(environment, e, what, definition, diagnostics)).ToList();
            var annotations = mutation.Annotations.Select(e => Entry(environment, e, what, definition, diagnostics)).ToList();
            var defaults = mutation.Defaults
                .Select(d => new CompiledDefault(d, d.ValueExpression is { } v ? Program(environment, v, $"{what} default '{d.PathText}'", definition, diagnostics) : null))
                .ToList();
            mutations.Add(new CompiledMutation(mutation, condition, labels, annotations, defaults));
        }

        return diagnostics.Count > errorsBefore ? null : new CompiledGuardrail(definition, [.. variables], validations, mutations);
    }

    private static CompiledEntry Entry(CelEnvironment environment, MetadataEntry entry, string what, GuardrailDefinition definition, List<AdmissionDiagnostic> diagnostics) =>
        new(entry, entry.ValueExpression is { } v ? Program(environment, v, $"{what} '{entry.Key}'", definition, diagnostics) : null);

    private static CelProgram? Program(CelEnvironment environment, ExpressionText expression, string what, GuardrailDefinition definition, List<AdmissionDiagnostic> diagnostics)
    {
        var result = environment.Compile(expression.Text);
        if (result.Success)
        {
            return result.Program;
        }

        foreach (var d in result.Diagnostics)
        {
            // Single-line text maps exactly onto the file; in a block scalar the line is exact and the
            // column is the expression's own (YAML strips the indentation).
            var line = expression.Start.Line + d.Line - 1;
            var column = d.Line == 1 && !expression.IsBlock ? expression.Start.Column + d.Column - 1 : d.Column;
            // variables.NAME is a declared dotted name, so an unknown one reads as an unknown 'variables': say which exist here.
            var hint = d.Message.Contains("'variables'", StringComparison.Ordinal)
                ? $"; variables declared before this point: {(Declared(environment) is { Length: > 0 } names ? names : "none")}"
                : string.Empty;
            diagnostics.Add(new AdmissionDiagnostic(expression.Start.File, line, column, AdmissionCodes.ExpressionError,
                $"guardrail '{definition.Name}': {what} does not compile: {d.Message}{hint} (expression {d.Line}:{d.Column})"));
        }

        return null;
    }

    private static string Declared(CelEnvironment environment) =>
        string.Join(", ", environment.Variables.Select(v => v.Name).Where(n => n.StartsWith("variables.", StringComparison.Ordinal)));

    private static void Error(List<AdmissionDiagnostic> diagnostics, ExpressionText expression, string message) =>
        diagnostics.Add(new AdmissionDiagnostic(expression.Start.File, expression.Start.Line, expression.Start.Column, AdmissionCodes.ExpressionError, message));
}

internal sealed record CompiledValidation(GuardrailValidation Definition, CelProgram Check, CelProgram? Message);

internal sealed record CompiledEntry(MetadataEntry Definition, CelProgram? Value);

internal sealed record CompiledDefault(FieldDefault Definition, CelProgram? Value);

internal sealed record CompiledMutation(GuardrailMutation Definition, CelProgram? Condition, IReadOnlyList<CompiledEntry> Labels, IReadOnlyList<CompiledEntry> Annotations, IReadOnlyList<CompiledDefault> Defaults);
