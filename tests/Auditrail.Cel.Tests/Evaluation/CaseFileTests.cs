using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Tests.Evaluation;

/// <summary>
/// Cases as data: each line of every <c>*.txt</c> file in this folder is one expression and its
/// expected result: a CEL literal, <c>error: text</c> for an evaluation error, or
/// <c>compile error: text</c> for an expression the checker must reject.
/// </summary>
public class CaseFileTests
{
    private const string Arrow = " ⟶ ";
    private const string ErrorPrefix = "error: ";
    private const string CompileErrorPrefix = "compile error: ";

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        var folder = Path.Combine(AppContext.BaseDirectory, "Evaluation");
        foreach (var path in Directory.EnumerateFiles(folder, "*.txt").Order(StringComparer.Ordinal))
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                var split = line.IndexOf(Arrow, StringComparison.Ordinal);
                data.Add($"{Path.GetFileName(path)}:{lineNumber}", line[..split], line[(split + Arrow.Length)..]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Expression_evaluates_to_expected(string source, string expression, string expected)
    {
        var environment = new CelEnvironment();
        var compiled = environment.Compile(expression);
        if (expected.StartsWith(CompileErrorPrefix, StringComparison.Ordinal))
        {
            Assert.False(compiled.Success, $"{source}: expected a compile error");
            Assert.Contains(expected[CompileErrorPrefix.Length..], string.Join("; ", compiled.Diagnostics), StringComparison.OrdinalIgnoreCase);
            return;
        }

        Assert.True(compiled.Success, $"{source}: {string.Join("; ", compiled.Diagnostics)}");
        var actual = compiled.Program!.Evaluate(new MapActivation(environment, new Dictionary<string, CelValue>()));

        if (expected.StartsWith(ErrorPrefix, StringComparison.Ordinal))
        {
            Assert.True(actual.IsError, $"{source}: expected an error, got {actual}");
            Assert.Contains(expected[ErrorPrefix.Length..], actual.AsError.Message, StringComparison.OrdinalIgnoreCase);
            return;
        }

        var expectedCompiled = environment.Compile(expected);
        Assert.True(expectedCompiled.Success, $"{source}: {string.Join("; ", expectedCompiled.Diagnostics)}");
        var expectedValue = expectedCompiled.Program!.Evaluate(new MapActivation(environment, new Dictionary<string, CelValue>()));
        Assert.False(actual.IsError, $"{source}: unexpected {actual}");
        Assert.Equal(expectedValue.Kind, actual.Kind);
        Assert.True(Values.AreEqual(expectedValue, actual), $"{source}: expected {expectedValue}, got {actual}");
    }
}
