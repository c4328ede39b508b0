using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Tests.Evaluation;

/// <summary>Cases as data: one line of Cases.txt is one expression and its expected result.</summary>
public class CaseFileTests
{
    private const string Arrow = " ⟶ ";

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        var path = Path.Combine(AppContext.BaseDirectory, "Evaluation", "Cases.txt");
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var split = line.IndexOf(Arrow, StringComparison.Ordinal);
            data.Add(line[..split], line[(split + Arrow.Length)..]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Expression_evaluates_to_expected(string expression, string expected)
    {
        var environment = new CelEnvironment();
        var compiled = environment.Compile(expression);
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        var actual = compiled.Program!.Evaluate(new MapActivation(environment, new Dictionary<string, CelValue>()));

        if (expected.StartsWith("error: ", StringComparison.Ordinal))
        {
            Assert.True(actual.IsError, $"expected an error, got {actual}");
            Assert.Contains(expected["error: ".Length..], actual.AsError.Message, StringComparison.OrdinalIgnoreCase);
            return;
        }

        var expectedCompiled = environment.Compile(expected);
        Assert.True(expectedCompiled.Success, string.Join("; ", expectedCompiled.Diagnostics));
        var expectedValue = expectedCompiled.Program!.Evaluate(new MapActivation(environment, new Dictionary<string, CelValue>()));
        Assert.False(actual.IsError, $"unexpected {actual}");
        Assert.Equal(expectedValue.Kind, actual.Kind);
        Assert.True(Values.AreEqual(expectedValue, actual), $"expected {expectedValue}, got {actual}");
    }
}
