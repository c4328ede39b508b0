using Auditrail.Cel.Conformance;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>String escapes and number forms, read the way the text format spec reads them.</summary>
public class TextProtoScalarTests
{
    private static TextScalar Value(string literal) =>
        Assert.IsType<TextScalar>(Assert.Single(TextProtoParser.Parse($"v: {literal}").Fields).Value);

    private static byte[] Bytes(string literal) => Value(literal).GetBytes();

    [Theory]
    [InlineData(@"""\n""", new byte[] { 0x0A })]
    [InlineData(@"""\t""", new byte[] { 0x09 })]
    [InlineData(@"""\r""", new byte[] { 0x0D })]
    [InlineData(@"""\a\b\f\v""", new byte[] { 0x07, 0x08, 0x0C, 0x0B })]
    [InlineData(@"""\""\'\\\?""", new byte[] { 0x22, 0x27, 0x5C, 0x3F })]
    [InlineData(@"'\''", new byte[] { 0x27 })]
    [InlineData(@"""'""", new byte[] { 0x27 })]
    [InlineData(@"'""'", new byte[] { 0x22 })]
    public void Simple_escapes_give_their_bytes(string literal, byte[] expected)
    {
        Assert.Equal(expected, Bytes(literal));
    }

    [Theory]
    [InlineData(@"""\303\277""", new byte[] { 0xC3, 0xBF })]
    [InlineData(@"""\000\377""", new byte[] { 0x00, 0xFF })]
    [InlineData(@"""\1234""", new byte[] { 0x53, 0x34 })]
    [InlineData(@"""\5H""", new byte[] { 0x05, 0x48 })]
    [InlineData(@"""\x41""", new byte[] { 0x41 })]
    [InlineData(@"""\x213""", new byte[] { 0x21, 0x33 })]
    [InlineData(@"""\xFg""", new byte[] { 0x0F, 0x67 })]
    public void Octal_and_hex_escapes_are_bytes_with_at_most_three_or_two_digits(string literal, byte[] expected)
    {
        Assert.Equal(expected, Bytes(literal));
    }

    [Theory]
    [InlineData(@"""\u1234""", "\u1234")]
    [InlineData(@"""\u00e9""", "é")]
    [InlineData(@"""\U0001F600""", "\U0001F600")]
    [InlineData(@"""\U0010FFFF""", "\U0010FFFF")]
    [InlineData(@"""\uD83D\uDE00""", "\U0001F600")]
    [InlineData(@"""\xe2\x9c\x8c""", "\u270C")]
    [InlineData(@"""héllo""", "héllo")]
    public void Unicode_escapes_and_raw_characters_are_utf8(string literal, string expected)
    {
        Assert.True(Value(literal).TryGetString(out var text));
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Adjacent_literals_are_joined()
    {
        var scalar = Value("\"a\" 'b'\n  \"c\"\"d\" # comment\n 'e'");

        Assert.True(scalar.TryGetString(out var text));
        Assert.Equal("abcde", text);
    }

    [Fact]
    public void Invalid_utf8_is_bytes_but_not_a_string()
    {
        var scalar = Value(@"""\377""");

        Assert.Equal(new byte[] { 0xFF }, scalar.GetBytes());
        Assert.False(scalar.TryGetString(out _));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("123", 123L)]
    [InlineData("-123", -123L)]
    [InlineData("- 5", -5L)]
    [InlineData("0x1F", 31L)]
    [InlineData("0X1f", 31L)]
    [InlineData("-0x10", -16L)]
    [InlineData("017", 15L)]
    [InlineData("-017", -15L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("-0x8000000000000000", long.MinValue)]
    public void Integers_read_as_int64_in_every_base(string literal, long expected)
    {
        var scalar = Value(literal);

        Assert.Equal(TextScalarKind.Integer, scalar.Kind);
        Assert.True(scalar.TryGetInt64(out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("1.0")]
    [InlineData("true")]
    [InlineData("\"1\"")]
    public void Values_outside_int64_or_of_another_kind_are_not_int64(string literal)
    {
        Assert.False(Value(literal).TryGetInt64(out _));
    }

    [Fact]
    public void Uint64_takes_the_full_range_and_rejects_a_sign()
    {
        Assert.True(Value("18446744073709551615").TryGetUInt64(out var max));
        Assert.Equal(ulong.MaxValue, max);
        Assert.True(Value("0xFFFFFFFFFFFFFFFF").TryGetUInt64(out var hexMax));
        Assert.Equal(ulong.MaxValue, hexMax);
        Assert.False(Value("18446744073709551616").TryGetUInt64(out _));
        Assert.False(Value("-0").TryGetUInt64(out _));
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("-1.5", -1.5)]
    [InlineData(".5", 0.5)]
    [InlineData("1.", 1.0)]
    [InlineData("1e10", 1e10)]
    [InlineData("1E-3", 1e-3)]
    [InlineData("2.5e+2", 250.0)]
    [InlineData("1.0f", 1.0)]
    [InlineData("10F", 10.0)]
    [InlineData("42", 42.0)]
    [InlineData("-0", -0.0)]
    [InlineData("18446744073709551616", 18446744073709551616.0)]
    [InlineData("1e999", double.PositiveInfinity)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("Infinity", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    public void Doubles_take_floats_decimal_integers_and_infinities(string literal, double expected)
    {
        Assert.True(Value(literal).TryGetDouble(out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("NaN")]
    [InlineData("-nan")]
    public void Nan_is_a_double(string literal)
    {
        Assert.True(Value(literal).TryGetDouble(out var value));
        Assert.True(double.IsNaN(value));
    }

    [Theory]
    [InlineData("0x10")]
    [InlineData("010")]
    [InlineData("infinite")]
    [InlineData("\"1.5\"")]
    public void Octal_hex_and_other_identifiers_are_not_doubles(string literal)
    {
        Assert.False(Value(literal).TryGetDouble(out _));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("t", true)]
    [InlineData("1", true)]
    [InlineData("0x1", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("f", false)]
    [InlineData("0", false)]
    [InlineData("00", false)]
    public void Bools_take_the_spec_spellings(string literal, bool expected)
    {
        Assert.True(Value(literal).TryGetBool(out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("-1")]
    [InlineData("TRUE")]
    [InlineData("yes")]
    public void Other_values_are_not_bools(string literal)
    {
        Assert.False(Value(literal).TryGetBool(out _));
    }

    [Fact]
    public void Int32_is_range_checked()
    {
        Assert.True(Value("-2147483648").TryGetInt32(out var min));
        Assert.Equal(int.MinValue, min);
        Assert.False(Value("2147483648").TryGetInt32(out _));
    }
}
