using Auditrail.Cel;
using Auditrail.Cel.Runtime;

namespace Auditrail.Admission.Guardrails;

/// <summary>
/// Supplies one guardrail's variables for one review. <c>variables.NAME</c> is evaluated when first
/// read and kept for the rest of the review, as ValidatingAdmissionPolicy does: a variable no
/// validation reads costs nothing, and one read by every validation is evaluated once.
/// </summary>
internal sealed class GuardrailActivation : IActivation
{
    private readonly CelValue[] _standard;
    private readonly CelProgram[] _variables;
    private readonly CelValue[] _values;
    private readonly bool[] _evaluated;

    public GuardrailActivation(ReviewInputs inputs, CelValue parameters, CelProgram[] variables)
    {
        _standard = [inputs.Object, inputs.OldObject, inputs.Request, inputs.NamespaceObject, parameters];
        _variables = variables;
        _values = new CelValue[variables.Length];
        _evaluated = new bool[variables.Length];
    }

    public CelValue Resolve(int variableIndex)
    {
        if (variableIndex < _standard.Length)
        {
            return _standard[variableIndex];
        }

        var index = variableIndex - _standard.Length;
        if (!_evaluated[index])
        {
            _values[index] = _variables[index].Evaluate(this);
            _evaluated[index] = true;
        }

        return _values[index];
    }
}
