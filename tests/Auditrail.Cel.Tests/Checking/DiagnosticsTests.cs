using Auditrail.Cel.Runtime;
using Auditrail.Cel.Tests.Support;

namespace Auditrail.Cel.Tests.Checking;

/// <summary>Every class of malformed expression gives a message with line and column.</summary>
public class DiagnosticsTests
{
    [Theory]
    [InlineData("\"abc", 1, 1, "unterminated string")]
    [InlineData("'a\nb'", 1, 1, "newline in a string")]
    [InlineData("\"\\q\"", 1, 2, "invalid escape")]
    [InlineData("\"\\ud800\"", 1, 2, "not a valid Unicode scalar")]
    [InlineData("b\"\\u0041\"", 1, 3, "not allowed in bytes")]
    [InlineData("1 +", 1, 4, "unexpected end of expression")]
    [InlineData("(1 + 2", 1, 7, "expected ')'")]
    [InlineData("[1, 2", 1, 6, "expected ']'")]
    [InlineData("{1: 2", 1, 6, "expected '}'")]
    [InlineData("1 + # 2", 1, 5, "unexpected character '#'")]
    [InlineData("var + 1", 1, 1, "reserved word")]
    [InlineData("9223372036854775808", 1, 1, "out of range")]
    [InlineData("-9223372036854775809", 1, 1, "out of range")]
    [InlineData("18446744073709551616u", 1, 1, "out of range")]
    [InlineData("has(1)", 1, 1, "invalid argument to has()")]
    [InlineData("[1].all(1, true)", 1, 9, "must be a simple name")]
    [InlineData("1 +\n  foo", 2, 3, "undeclared reference to 'foo'")]
    [InlineData("1 + 'a'", 1, 3, "no matching overload for '_+_'")]
    [InlineData("1 && true", 1, 1, "expected a bool")]
    [InlineData("'a'.nosuch()", 1, 4, "undeclared reference to 'nosuch'")]
    [InlineData("size(1, 2)", 1, 1, "no matching overload for 'size'")]
    [InlineData("x.y", 1, 1, "undeclared reference to 'x'")]
    [InlineData("pkg.Msg{a: 1}", 1, 8, "message construction")]
    [InlineData("1 == 'a'", 1, 3, "no matching overload for '_==_'")]
    public void Malformed_expression_reports_position_and_reason(string expression, int line, int column, string message)
    {
        var result = CelTest.Compile(expression);

        Assert.False(result.Success);
        var diagnostic = result.Diagnostics[0];
        Assert.Contains(message, diagnostic.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((line, column), (diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Every_error_is_reported_not_only_the_first()
    {
        var result = CelTest.Compile("foo + bar > 1 && 'a'.nosuch() && size(1, 2) == 2");

        Assert.Equal(4, result.Diagnostics.Count);
        Assert.Equal([1, 7, 21, 34], result.Diagnostics.Select(d => d.Column));
    }

    [Fact]
    public void Declared_variables_resolve_including_dotted_names()
    {
        var result = CelTest.Compile("verb == 'create' && objectRef.resource in ['pods'] && user.groups.exists(g, g == 'x')",
            ("verb", CelType.String), ("objectRef.resource", CelType.String), ("user.groups", CelType.List(CelType.String)));

        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
    }

    [Fact]
    public void Static_types_catch_misuse_of_declared_variables()
    {
        var result = CelTest.Compile("verb > 1", ("verb", CelType.String));

        Assert.Contains("no matching overload for '_>_' applied to '(string, int)'", Assert.Single(result.Diagnostics).Message);
    }
}
