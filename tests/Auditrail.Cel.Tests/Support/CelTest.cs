using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Tests.Support;

/// <summary>Compiles and evaluates in a fresh environment with optional variables.</summary>
public static class CelTest
{
    public static CompileResult Compile(string expression, params (string Name, CelType Type)[] variables)
    {
        var environment = new CelEnvironment();
        foreach (var (name, type) in variables)
        {
            environment.Declare(name, type);
        }

        return environment.Compile(expression);
    }

    public static CelValue Eval(string expression, IReadOnlyDictionary<string, CelValue>? values = null)
    {
        var environment = new CelEnvironment();
        foreach (var (name, value) in values ?? new Dictionary<string, CelValue>())
        {
            environment.Declare(name, CelType.Dyn);
        }

        var compiled = environment.Compile(expression);
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        return compiled.Program!.Evaluate(new MapActivation(environment, values ?? new Dictionary<string, CelValue>()));
    }
}
