using Auditrail.Cel;

namespace Auditrail.Admission.Guardrails;

/// <summary>The guardrails loaded from some paths, compiled, with every problem found on the way.</summary>
public sealed class GuardrailSet
{
    private GuardrailSet(IReadOnlyList<CompiledGuardrail> guardrails, IReadOnlyList<AdmissionDiagnostic> diagnostics)
    {
        Guardrails = guardrails;
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<CompiledGuardrail> Guardrails { get; }

    public IReadOnlyList<AdmissionDiagnostic> Diagnostics { get; }

    public bool HasErrors => Diagnostics.Any(d => !d.IsWarning);

    /// <summary>Loads and compiles files and directories; a guardrail with a problem is reported and left out, the rest load.</summary>
    public static GuardrailSet Load(IEnumerable<string> paths, EvaluationLimits? limits = null)
    {
        var loader = new GuardrailLoader();
        foreach (var path in paths)
        {
            loader.LoadPath(path);
        }

        return Compile(loader, limits);
    }

    public static GuardrailSet FromText(string text, string file, EvaluationLimits? limits = null)
    {
        var loader = new GuardrailLoader();
        loader.LoadText(text, file);
        return Compile(loader, limits);
    }

    private static GuardrailSet Compile(GuardrailLoader loader, EvaluationLimits? limits)
    {
        var diagnostics = new List<AdmissionDiagnostic>(loader.Diagnostics);
        var compiled = GuardrailCompiler.Compile(loader.Guardrails, diagnostics, limits);
        return new GuardrailSet(compiled, diagnostics);
    }
}
