using Auditrail.Cel.Conformance;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>The shapes of fields and messages the text format allows.</summary>
public class TextProtoParserTests
{
    private static TextScalar Scalar(TextMessage message, string name) => Assert.IsType<TextScalar>(message.GetField(name)?.Value);

    private static TextMessage Nested(TextMessage message, string name) => Assert.IsType<TextMessage>(message.GetField(name)?.Value);

    [Fact]
    public void Fields_keep_document_order_and_duplicates()
    {
        var root = TextProtoParser.Parse("a: 1 b: 2 a: 3");

        Assert.Equal(["a", "b", "a"], root.Fields.Select(f => f.Name));
        Assert.Equal(["1", "3"], root.GetFields("a").Select(f => ((TextScalar)f.Value).Text));
        Assert.Equal("3", Scalar(root, "a").Text);
    }

    [Theory]
    [InlineData("m { x: 1 }")]
    [InlineData("m: { x: 1 }")]
    [InlineData("m < x: 1 >")]
    [InlineData("m: < x: 1 >")]
    [InlineData("m {\n  x: 1;\n}")]
    [InlineData("m { x: 1, }")]
    public void Message_values_take_braces_or_angles_with_an_optional_colon(string text)
    {
        var root = TextProtoParser.Parse(text);

        Assert.True(Scalar(Nested(root, "m"), "x").TryGetInt64(out var x));
        Assert.Equal(1, x);
    }

    [Fact]
    public void Separators_between_fields_are_optional_commas_or_semicolons()
    {
        var root = TextProtoParser.Parse("a: 1, b: 2; c: 3 d { }, e { };");

        Assert.Equal(["a", "b", "c", "d", "e"], root.Fields.Select(f => f.Name));
    }

    [Fact]
    public void List_syntax_expands_to_one_field_per_element()
    {
        var root = TextProtoParser.Parse("n: 0 n: [1, 2] m [{ x: 1 }, < x: 2 >] n: [] n: 3");

        Assert.Equal(["0", "1", "2", "3"], root.GetFields("n").Select(f => ((TextScalar)f.Value).Text));
        Assert.Equal(2, root.GetFields("m").Count(f => f.Value is TextMessage));
    }

    [Fact]
    public void Comments_run_to_the_end_of_the_line()
    {
        var root = TextProtoParser.Parse("# header\na: 1 # trailing\n# b: 2\nc: \"# not a comment\"");

        Assert.Equal(["a", "c"], root.Fields.Select(f => f.Name));
        Assert.True(Scalar(root, "c").TryGetString(out var c));
        Assert.Equal("# not a comment", c);
    }

    [Fact]
    public void Any_expansion_names_the_type_url()
    {
        var root = TextProtoParser.Parse(
            "object_value { [type.googleapis.com/cel.expr.conformance.proto3.TestAllTypes] { single_int64: 1 } }");

        var expansion = Assert.Single(Nested(root, "object_value").Fields);
        Assert.Equal(TextFieldKind.Any, expansion.Kind);
        Assert.Equal("type.googleapis.com/cel.expr.conformance.proto3.TestAllTypes", expansion.Name);
        Assert.Equal("1", Scalar((TextMessage)expansion.Value, "single_int64").Text);
    }

    [Fact]
    public void Extension_names_are_bracketed_full_names()
    {
        var root = TextProtoParser.Parse("[pkg.ext.value]: 10 [ pkg.ext.message ] { a: 1 }");

        Assert.All(root.Fields, f => Assert.Equal(TextFieldKind.Extension, f.Kind));
        Assert.Equal(["pkg.ext.value", "pkg.ext.message"], root.Fields.Select(f => f.Name));
        Assert.Null(root.GetField("pkg.ext.value"));
    }

    [Fact]
    public void Identifiers_are_kept_as_written()
    {
        var root = TextProtoParser.Parse("a: NULL_VALUE b: true c: -inf");

        Assert.Equal(TextScalarKind.Identifier, Scalar(root, "a").Kind);
        Assert.Equal("NULL_VALUE", Scalar(root, "a").Text);
        Assert.True(Scalar(root, "b").TryGetBool(out var b) && b);
        Assert.True(Scalar(root, "c").IsNegative);
    }

    [Fact]
    public void Positions_are_one_based_lines_and_character_columns()
    {
        var root = TextProtoParser.Parse("a: 1\n  b {\n    s: \"é\" t: 2\n  }");

        var b = root.Fields[1];
        Assert.Equal(new TextPosition(2, 3), b.Position);
        Assert.Equal(new TextPosition(2, 5), b.Value.Position);
        var inner = (TextMessage)b.Value;
        Assert.Equal(new TextPosition(3, 12), inner.Fields[1].Position);
    }

    [Fact]
    public void A_byte_order_mark_and_crlf_line_ends_are_accepted()
    {
        var root = TextProtoParser.Parse("\uFEFFa: 1\r\nb: 2\r\n");

        Assert.Equal(new TextPosition(1, 1), root.Fields[0].Position);
        Assert.Equal(new TextPosition(2, 1), root.Fields[1].Position);
    }

    [Fact]
    public void An_empty_document_is_an_empty_message()
    {
        Assert.Empty(TextProtoParser.Parse("  # only a comment\n").Fields);
    }

    [Fact]
    public void ToString_renders_text_format()
    {
        var root = TextProtoParser.Parse("m { s: 'a\\n' n: -1 [x.y/z.W] { } }");

        Assert.Equal("m: { s: \"a\\n\" n: -1 [x.y/z.W]: {} }", root.Fields[0].ToString());
    }
}
