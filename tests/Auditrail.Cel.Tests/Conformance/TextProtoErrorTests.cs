using Auditrail.Cel.Conformance;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>Malformed input fails with the place of the problem.</summary>
public class TextProtoErrorTests
{
    private static TextProtoException Fails(string text) =>
        Assert.Throws<TextProtoException>(() => TextProtoParser.Parse(text, "bad.textproto"));

    [Theory]
    [InlineData("a: \"open", 1, 4, "unterminated string")]
    [InlineData("a: 'line\nbreak'", 1, 4, "unterminated string")]
    [InlineData("a: 1\nb: \"\\q\"", 2, 5, "unknown escape '\\q'")]
    [InlineData("a: \"\\x\"", 1, 5, "escape needs 1 to 2 hex digits")]
    [InlineData("a: \"\\u12\"", 1, 5, "escape needs 4 hex digits")]
    [InlineData("a: \"\\U00110000\"", 1, 5, "not a Unicode scalar value")]
    [InlineData("a: \"\\uD800\"", 1, 5, "not a Unicode scalar value")]
    [InlineData("a: \"\\400\"", 1, 5, "octal escape is above \\377")]
    [InlineData("a: 10bar", 1, 4, "malformed number '10bar'")]
    [InlineData("a: 1e", 1, 4, "malformed number '1e'")]
    [InlineData("a: 08", 1, 4, "malformed number '08'")]
    [InlineData("a: 0x", 1, 4, "malformed number '0x'")]
    [InlineData("a: 1.5.2", 1, 4, "malformed number")]
    [InlineData("a 1", 1, 3, "expected ':' or '{' after field name 'a', found '1'")]
    [InlineData("a:", 1, 3, "expected a value, found end of input")]
    [InlineData("a: -\"s\"", 1, 5, "expected a value, found a string")]
    [InlineData("a: [1 2]", 1, 7, "expected ',' or ']' in a list")]
    [InlineData("a [1]", 1, 4, "expected ':' or '{'")]
    [InlineData("m {\n  a: 1\n", 3, 1, "expected '}' to close the message opened at 1:3")]
    [InlineData("m { a: 1 >", 1, 10, "expected a field name, found '>'")]
    [InlineData("}", 1, 1, "expected a field name, found '}'")]
    [InlineData("[a.b/c.D]: 1", 1, 12, "an Any expansion holds a message")]
    [InlineData("[a.b", 1, 5, "expected ']'")]
    [InlineData("a: 1 @", 1, 6, "unexpected character '@'")]
    [InlineData("a: «x»", 1, 4, "unexpected character '«'")]
    [InlineData("a: 1\u0001", 1, 5, "unexpected character U+0001")]
    public void Malformed_input_reports_line_and_column(string text, int line, int column, string reason)
    {
        var error = Fails(text);

        Assert.Equal(new TextPosition(line, column), error.Position);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"bad.textproto:{line}:{column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_without_overflowing_the_stack()
    {
        static string Nest(int depth) => string.Concat(Enumerable.Repeat("m {", depth)) + new string('}', depth);

        Assert.Single(TextProtoParser.Parse(Nest(TextProtoParser.MaxDepth)).Fields);
        var error = Fails(Nest(TextProtoParser.MaxDepth + 1));

        Assert.Equal(new TextPosition(1, (3 * TextProtoParser.MaxDepth) + 3), error.Position);
        Assert.Contains("deeper than", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_outside_literals_is_named_by_byte()
    {
        var error = Assert.Throws<TextProtoException>(() => TextProtoParser.Parse(new byte[] { (byte)'a', (byte)':', 0xFF }));

        Assert.Equal("1:3: unexpected character byte 0xFF (not UTF-8)", error.Message);
    }

    [Fact]
    public void Invalid_utf8_inside_a_literal_is_kept_as_bytes()
    {
        var root = TextProtoParser.Parse(new byte[] { (byte)'a', (byte)':', (byte)'"', 0xFF, (byte)'"' });

        Assert.Equal(new byte[] { 0xFF }, ((TextScalar)root.Fields[0].Value).GetBytes());
    }

    [Fact]
    public void TryParse_returns_the_error_instead_of_throwing()
    {
        Assert.False(TextProtoParser.TryParse("a: {"u8.ToArray(), "x", out var message, out var error));
        Assert.Null(message);
        Assert.Equal("x", error.SourceName);

        Assert.True(TextProtoParser.TryParse("a: 1"u8.ToArray(), null, out message, out error));
        Assert.Single(message.Fields);
        Assert.Null(error);
    }
}
