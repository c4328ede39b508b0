namespace Auditrail.Cel.Runtime;

/// <summary>
/// Supplies the values of declared variables by their index in the environment. Implementations
/// read their source directly (an audit event, a JSON document) instead of converting it up front.
/// </summary>
public interface IActivation
{
    CelValue Resolve(int variableIndex);

    /// <summary>
    /// The variable's string value as UTF-8 without allocating, when the source holds it that way.
    /// Comparisons of a variable with literals use it, so <c>verb == "create"</c> never builds a string.
    /// </summary>
    bool TryGetUtf8(int variableIndex, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        return false;
    }
}

/// <summary>Variables bound by name to ready values: tests, <c>auditrail cel eval --var</c>, conformance.</summary>
public sealed class MapActivation(CelEnvironment environment, IReadOnlyDictionary<string, CelValue> values) : IActivation
{
    private readonly CelValue[] _values = Bind(environment, values);

    public CelValue Resolve(int variableIndex) => _values[variableIndex];

    private static CelValue[] Bind(CelEnvironment environment, IReadOnlyDictionary<string, CelValue> values)
    {
        var bound = new CelValue[environment.Variables.Count];
        for (var i = 0; i < bound.Length; i++)
        {
            var name = environment.Variables[i].Name;
            bound[i] = values.TryGetValue(name, out var value) ? value : CelValue.Error($"no such attribute: {name}");
        }

        return bound;
    }
}
