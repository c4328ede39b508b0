using Auditrail.Cel.Conformance;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>
/// Matchers, values and types the suite does not use yet, and text that does not fit the schema.
/// Test bodies start on line 4 of the wrapped file, so error positions read as body line + 3.
/// </summary>
public class ConformanceSchemaTests
{
    private static string Wrap(string body) => $"name: \"f\"\nsection {{ name: \"s\"\ntest {{ name: \"t\" expr: \"1\"\n{body}\n}} }}";

    private static ConformanceTest Single(string body) => Assert.Single(ConformanceFile.Parse(Wrap(body), "f.textproto").Tests);

    private static TextProtoException Fails(string body) =>
        Assert.Throws<TextProtoException>(() => ConformanceFile.Parse(Wrap(body), "f.textproto"));

    private static ExpectedValue Value(string value) => Assert.IsType<ExpectedResult.Value>(Single($"value {{ {value} }}").Result).Expected;

    [Fact]
    public void Every_value_kind_decodes()
    {
        Assert.Equal(new ExpectedValue.NullValue(), Value("null_value: NULL_VALUE"));
        Assert.Equal(new ExpectedValue.BoolValue(true), Value("bool_value: true"));
        Assert.Equal(new ExpectedValue.IntValue(-0x10), Value("int64_value: -0x10"));
        Assert.Equal(new ExpectedValue.UintValue(ulong.MaxValue), Value("uint64_value: 18446744073709551615"));
        Assert.Equal(new ExpectedValue.DoubleValue(1e10), Value("double_value: 1e10"));
        Assert.Equal(new ExpectedValue.StringValue("é"), Value("string_value: '\\303\\251'"));
        Assert.Equal(new ExpectedValue.BytesValue([0xFF]), Value("bytes_value: '\\xff'"));
        Assert.Equal(new ExpectedValue.EnumValue("cel.expr.conformance.proto3.GlobalEnum", 2), Value("enum_value { type: 'cel.expr.conformance.proto3.GlobalEnum' value: 2 }"));
        Assert.Equal(new ExpectedValue.TypeValue("int"), Value("type_value: 'int'"));
        Assert.Equal(
            new ExpectedValue.ListValue([new ExpectedValue.IntValue(1), new ExpectedValue.ListValue([])]),
            Value("list_value { values: [{ int64_value: 1 }, { list_value {} }] }"));
        Assert.Equal(new ExpectedValue.MapValue([]), Value("map_value: {}"));
    }

    [Fact]
    public void An_any_may_carry_a_type_url_and_serialized_bytes()
    {
        var any = Assert.IsType<ExpectedValue.ObjectValue>(Value("object_value { type_url: 'type.googleapis.com/google.protobuf.Int64Value' value: '\\010\\001' }"));

        Assert.Equal("google.protobuf.Int64Value", any.TypeName);
        Assert.Null(any.Message);
        Assert.Equal(new byte[] { 0x08, 0x01 }, any.EncodedValue);
    }

    [Fact]
    public void Values_print_as_cel_literals()
    {
        Assert.Equal("[1, 2u, 1.0, -0.5, \"a\\n\", b\"\\xff\", null, true, int]", Value(
            "list_value { values { int64_value: 1 } values { uint64_value: 2 } values { double_value: 1 } values { double_value: -.5 } " +
            "values { string_value: 'a\\n' } values { bytes_value: '\\377' } values { null_value: 0 } values { bool_value: t } values { type_value: 'int' } }").ToString());
        Assert.Equal("cel.expr.conformance.proto3.TestAllTypes{ single_int64: 1 }", Value(
            "object_value { [type.googleapis.com/cel.expr.conformance.proto3.TestAllTypes] { single_int64: 1 } }").ToString());
    }

    [Fact]
    public void Typed_results_decode_the_deduced_type()
    {
        var test = Single("""
            typed_result {
              result { int64_value: 1 }
              deduced_type { map_type { key_type { primitive: STRING } value_type { list_type { elem_type { wrapper: INT64 } } } } }
            }
            """);

        var typed = Assert.IsType<ExpectedResult.TypedResult>(test.Result);
        Assert.Equal(new ExpectedValue.IntValue(1), typed.Result);
        Assert.Equal("map(string, list(wrapper(int)))", typed.DeducedType!.ToString());
    }

    [Theory]
    [InlineData("dyn {}", "dyn")]
    [InlineData("null: NULL_VALUE", "null_type")]
    [InlineData("primitive: BYTES", "bytes")]
    [InlineData("primitive: 3", "uint")]
    [InlineData("well_known: DURATION", "google.protobuf.Duration")]
    [InlineData("message_type: 'cel.expr.conformance.proto3.TestAllTypes'", "cel.expr.conformance.proto3.TestAllTypes")]
    [InlineData("type_param: 'T'", "T")]
    [InlineData("type { primitive: INT64 }", "type(int)")]
    [InlineData("type {}", "type")]
    [InlineData("error {}", "*error*")]
    [InlineData("abstract_type { name: 'optional_type' parameter_types { primitive: DOUBLE } }", "optional_type(double)")]
    [InlineData("function { result_type { primitive: BOOL } arg_types { dyn {} } arg_types { type_param: 'A' } }", "(dyn, A) -> bool")]
    public void Every_type_kind_decodes(string type, string printed)
    {
        var typed = Assert.IsType<ExpectedResult.TypedResult>(Single($"typed_result {{ deduced_type {{ {type} }} }}").Result);

        Assert.Null(typed.Result);
        Assert.Equal(printed, typed.DeducedType!.ToString());
    }

    [Fact]
    public void Types_compare_structurally()
    {
        var one = Assert.IsType<ExpectedResult.TypedResult>(Single("typed_result { deduced_type { abstract_type { name: 'x' parameter_types { dyn {} } } } }").Result);

        Assert.Equal(new ExpectedType.AbstractType("x", [new ExpectedType.DynType()]), one.DeducedType);
    }

    [Fact]
    public void Error_and_unknown_matchers_decode()
    {
        Assert.Equal(
            new ExpectedResult.AnyEvalErrors([["a"], ["b", "c"]]),
            Single("any_eval_errors { errors { errors { message: 'a' code: 3 } } errors { errors { message: 'b' } errors { message: 'c' } } }").Result);
        Assert.Equal(new ExpectedResult.Unknown([1, 2]), Single("unknown { exprs: [1, 2] }").Result);
        Assert.Equal(new ExpectedResult.AnyUnknowns([[1], [2, 3]]), Single("any_unknowns { unknowns { exprs: 1 } unknowns { exprs: [2, 3] } }").Result);
    }

    [Fact]
    public void Flags_and_function_declarations_decode()
    {
        var test = Single("""
            disable_macros: true check_only: true disable_check: false locale: "de_DE"
            type_env { name: "f" function { overloads { overload_id: "f_int" params { primitive: INT64 } result_type { primitive: INT64 } } } }
            """);

        Assert.True(test.DisableMacros);
        Assert.True(test.CheckOnly);
        Assert.False(test.DisableCheck);
        Assert.Equal("de_DE", test.Locale);
        var function = Assert.IsType<ConformanceDecl.FunctionDecl>(Assert.Single(test.TypeEnv));
        Assert.Equal("f", function.Name);
        Assert.Single(function.Declaration.GetFields("overloads"));
    }

    [Fact]
    public void A_repeated_binding_keeps_its_last_value()
    {
        var test = Single("bindings { key: 'x' value { value { int64_value: 1 } } } bindings { key: 'x' value { value { int64_value: 2 } } }");

        Assert.Equal(new ExpectedValue.IntValue(2), Assert.Single(test.Bindings).Value);
    }

    [Theory]
    [InlineData("exprr: 'x'", 4, 1, "SimpleTest has no field 'exprr'")]
    [InlineData("[x.y/z.W] {}", 4, 1, "SimpleTest has no extension or Any expansion [x.y/z.W]")]
    [InlineData("disable_check: 'yes'", 4, 16, "disable_check needs true or false, found \"yes\"")]
    [InlineData("disable_check { }", 4, 15, "disable_check needs true or false, found a message")]
    [InlineData("description: 'a'\ndescription: 'b'", 5, 1, "SimpleTest.description is given more than once")]
    [InlineData("value { int64_value: 1 }\neval_error { }", 5, 1, "SimpleTest.eval_error conflicts with value at 4:1: oneof result_matcher takes one member")]
    [InlineData("value { int64_value: 1 bool_value: true }", 4, 24, "conflicts with int64_value")]
    [InlineData("value { }", 4, 7, "cel.expr.Value has no kind set")]
    [InlineData("value { string_value: '\\377' }", 4, 23, "not valid UTF-8")]
    [InlineData("value { uint64_value: -1 }", 4, 23, "uint64_value needs a uint64 (no sign), found -1")]
    [InlineData("value { int64_value: 9223372036854775808 }", 4, 22, "needs an int64")]
    [InlineData("value { double_value: 0x10 }", 4, 23, "needs a double")]
    [InlineData("value { null_value: NULL }", 4, 21, "needs a google.protobuf.NullValue (NULL_VALUE)")]
    [InlineData("value { map_value { entries { key { int64_value: 1 } } } }", 4, 29, "map entry has no value")]
    [InlineData("value { object_value { } }", 4, 22, "neither an expansion nor a type_url")]
    [InlineData("value { object_value { [a/b.C] {} type_url: 'a/b.C' } }", 4, 24, "mixes an expansion")]
    [InlineData("value { object_value { [a/b.C] {} [a/b.D] {} } }", 4, 35, "[a/b.C] at 4:24 came first")]
    [InlineData("type_env { name: 'x' }", 4, 10, "declaration 'x' is neither an ident nor a function")]
    [InlineData("type_env { name: 'x' ident { } }", 4, 28, "ident 'x' has no type")]
    [InlineData("type_env { name: 'x' ident { type { primitive: INT } } }", 4, 48, "needs a cel.expr.Type.PrimitiveType")]
    [InlineData("type_env { name: 'x' ident { type { } } }", 4, 35, "type is a cel.expr.Type with no kind set")]
    [InlineData("type_env { name: 'x' ident { type { dyn { a: 1 } } } }", 4, 43, "dyn is a google.protobuf.Empty and takes no fields")]
    [InlineData("bindings { key: 'x' value { error { } } }", 4, 29, "binding to an error is not supported")]
    [InlineData("bindings { key: 'x' }", 4, 10, "binding 'x' has no value")]
    public void Text_that_does_not_fit_the_schema_is_reported_at_its_place(string body, int line, int column, string reason)
    {
        var error = Fails(body);

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal(new TextPosition(line, column), error.Position);
        Assert.Equal("f.textproto", error.SourceName);
    }

    [Fact]
    public void File_level_fields_are_checked_too()
    {
        var error = Assert.Throws<TextProtoException>(() => ConformanceFile.Parse("name: 'x'\nsections { }", "g"));

        Assert.Equal("g:2:1: SimpleTestFile has no field 'sections'", error.Message);
    }

    [Fact]
    public void TryParse_returns_syntax_and_schema_errors()
    {
        Assert.False(ConformanceFile.TryParse("name: "u8.ToArray(), "a", out _, out var syntax));
        Assert.Equal(new TextPosition(1, 7), syntax.Position);
        Assert.False(ConformanceFile.TryParse("nam: 'x'"u8.ToArray(), "b", out _, out var schema));
        Assert.Equal("b:1:1: SimpleTestFile has no field 'nam'", schema.Message);
        Assert.True(ConformanceFile.TryParse("name: 'x'"u8.ToArray(), "c", out var file, out _));
        Assert.Empty(file.Sections);
    }
}
