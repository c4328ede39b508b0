using Auditrail.Cel.Runtime;
using Auditrail.Cel.Tests.Support;

namespace Auditrail.Cel.Tests.Safety;

/// <summary>Hostile expressions fail with a clear error instead of hanging or crashing the process.</summary>
public class HostileExpressionTests
{
    [Theory]
    [InlineData("(", ")")]
    [InlineData("[", "]")]
    [InlineData("{1: ", "}")]
    [InlineData("!", "")]
    [InlineData("-", "")]
    public void Deep_nesting_is_refused_at_parse_time(string open, string close)
    {
        var expression = string.Concat(Enumerable.Repeat(open, 5000)) + "1" + string.Concat(Enumerable.Repeat(close, 5000));

        var result = CelTest.Compile(expression);

        Assert.False(result.Success);
        Assert.Contains("nests deeper than", result.Diagnostics[0].Message);
    }

    [Fact]
    public void Very_long_expressions_are_refused()
    {
        var result = CelTest.Compile(string.Join(" + ", Enumerable.Repeat("1", 60_000)));

        Assert.Contains("characters long", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void Exponential_comprehension_runs_out_of_budget()
    {
        var range = "[" + string.Join(", ", Enumerable.Range(0, 10)) + "]";
        var expression = $"{range}.all(a, {range}.all(b, {range}.all(c, {range}.all(d, {range}.all(e, {range}.all(f, {range}.all(g, true)))))))";

        var result = CelTest.Eval(expression);

        Assert.True(result.IsError);
        Assert.Contains("cost budget", result.AsError.Message);
    }

    [Fact]
    public void Repeated_doubling_of_a_string_hits_the_size_limit()
    {
        var expression = "cel.bind(a, 'xxxxxxxxxxxxxxxx', " + string.Concat(Enumerable.Range(0, 20).Select(i => $"cel.bind(a, a + a, ")) + "size(a)" + new string(')', 21);

        var result = CelTest.Eval(expression);

        Assert.True(result.IsError);
        Assert.Contains("size limit", result.AsError.Message);
    }

    [Fact]
    public void Quadratic_accumulation_is_bounded_by_the_budget()
    {
        var result = CelTest.Eval("lst.map(x, x).size()", new Dictionary<string, CelValue>
        {
            ["lst"] = CelValue.List(Enumerable.Range(0, 50_000).Select(i => CelValue.Int(i)).ToArray()),
        });

        Assert.True(result.IsError);
        Assert.Contains("cost budget", result.AsError.Message);
    }

    [Fact]
    public void Catastrophic_backtracking_patterns_run_in_linear_time()
    {
        // (a+)+$ against a's followed by a mismatch is exponential in a backtracking engine; RE2
        // semantics (NonBacktracking here) make it linear, so this returns at once.
        var subject = new string('a', 5000) + "!";

        var result = CelTest.Eval($"s.matches('(a+)+$')", new Dictionary<string, CelValue> { ["s"] = CelValue.String(subject) });

        Assert.Equal(CelValue.False.AsBool, result.AsBool);
        Assert.Equal(CelKind.Bool, result.Kind);
    }

    [Fact]
    public void Backreferences_are_rejected_as_re2_does()
    {
        var result = CelTest.Eval("'aa'.matches('(a)\\\\1')");

        Assert.True(result.IsError);
        Assert.Contains("invalid regular expression", result.AsError.Message);
    }
}
