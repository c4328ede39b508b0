using Auditrail.Detection.Falco;
using Auditrail.Detection.Rules;

namespace Auditrail.Detection.Tests.Falco;

/// <summary>The filter grammar as libsinsp documents it: keywords, operators, values, fields and where errors are.</summary>
public class FalcoFilterParserTests
{
    [Fact]
    public void Or_binds_loosest_then_and_then_not()
    {
        var expr = FalcoFilterParser.Parse("a or not b and c");

        var or = Assert.IsType<FalcoOr>(expr);
        Assert.IsType<FalcoMacroReference>(or.Terms[0]);
        var and = Assert.IsType<FalcoAnd>(or.Terms[1]);
        Assert.IsType<FalcoNot>(and.Terms[0]);
    }

    [Theory]
    [InlineData("ka.verb=create", "=", "create")]
    [InlineData("ka.verb == create", "=", "create")]
    [InlineData("ka.verb != 'a b'", "!=", "a b")]
    [InlineData("ka.uri startswith /healthz?", "startswith", "/healthz?")]
    [InlineData("ka.user.name contains \"say \\\"hi\\\"\"", "contains", "say \"hi\"")]
    [InlineData("ka.response.code >= 0x1F", ">=", "0x1F")]
    [InlineData("ka.response.code < -1.5e+3", "<", "-1.5e+3")]
    [InlineData("ka.verb regex '^c.*'", "regex", "^c.*")]
    public void Checks_read_their_operator_and_value(string text, string op, string value)
    {
        var check = Assert.IsType<FalcoCheck>(FalcoFilterParser.Parse(text));

        Assert.Equal(op, check.Operator);
        Assert.Equal(value, Assert.IsType<FalcoValue>(check.Value).Text);
    }

    [Fact]
    public void Lists_fields_with_arguments_transformers_and_val()
    {
        var list = Assert.IsType<FalcoCheck>(FalcoFilterParser.Parse("ka.req.pod.containers.image[0] in (a, \"b c\", names)"));
        Assert.Equal("0", list.Field.Argument);
        var items = Assert.IsType<FalcoValueList>(list.Value).Items;
        Assert.Equal(["a", "b c", "names"], items.Select(i => i.Text));
        Assert.Equal([false, true, false], items.Select(i => i.Quoted));

        var bare = Assert.IsType<FalcoCheck>(FalcoFilterParser.Parse("ka.verb in write_verbs"));
        Assert.Equal("write_verbs", Assert.IsType<FalcoValueList>(bare.Value).Items.Single().Text);

        var transformed = Assert.IsType<FalcoCheck>(FalcoFilterParser.Parse("tolower(toupper(ka.verb)) = val(ka.target.name)"));
        Assert.Equal(["tolower", "toupper"], transformed.Field.Transformers);
        Assert.Equal("ka.target.name", Assert.IsType<FalcoFieldOperand>(transformed.Value).Field.Name);

        var pointer = Assert.IsType<FalcoCheck>(FalcoFilterParser.Parse("jevt.value[/a~1b/c] exists"));
        Assert.Equal("/a~1b/c", pointer.Field.Argument);
        Assert.Equal("exists", pointer.Operator);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("ka.verb = create and", 20)] // "and" needs something after it
    [InlineData("ka.verb = create andx", 20)]
    [InlineData("ka.verb create", 8)]
    [InlineData("(ka.verb = create", 17)]
    [InlineData("ka.verb = 'open", 10)]
    [InlineData("ka.verb = create)", 16)]
    [InlineData("ka.verb in (a, )", 15)]
    [InlineData("ka.response.code > abc", 19)]
    public void Syntax_errors_say_where(string text, int offset)
    {
        var error = Assert.Throws<FalcoSyntaxException>(() => FalcoFilterParser.Parse(text));

        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void Offsets_map_to_lines_and_columns_of_the_rule_file()
    {
        var text = FalcoText.From("a and\n  b", new SourceLocation("f.yaml", 10, 0))
            .Append(FalcoText.From("or c", new SourceLocation("g.yaml", 3, 14)));

        Assert.Equal(new SourceLocation("f.yaml", 11, 3), text.Locate(8));
        Assert.Equal(new SourceLocation("g.yaml", 3, 17), text.Locate(13));
    }
}
