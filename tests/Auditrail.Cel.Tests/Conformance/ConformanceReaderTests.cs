using Auditrail.Cel.Conformance;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>Tests from the cel-spec files decode into the model with the values they spell.</summary>
public class ConformanceReaderTests
{
    private static ExpectedValue Expected(ConformanceTest test) => Assert.IsType<ExpectedResult.Value>(test.Result).Expected;

    [Fact]
    public void Bytes_values_keep_octal_escaped_bytes()
    {
        var escape = Expected(CelSpecData.Test("basic", "self_eval_bytes_escape"));
        var invalid = Expected(CelSpecData.Test("basic", "self_eval_bytes_invalid_utf8"));

        Assert.Equal(new byte[] { 0xC3, 0xBF }, Assert.IsType<ExpectedValue.BytesValue>(escape).Value);
        Assert.Equal(new byte[] { 0x00, 0xFF }, Assert.IsType<ExpectedValue.BytesValue>(invalid).Value);
    }

    [Fact]
    public void String_values_decode_escaped_utf8()
    {
        var four = Expected(CelSpecData.Test("basic", "self_eval_unicode_escape_four"));
        var eight = Expected(CelSpecData.Test("basic", "self_eval_unicode_escape_eight"));

        Assert.Equal(new ExpectedValue.StringValue("\u270C"), four);
        Assert.Equal(new ExpectedValue.StringValue("\U0001F431"), eight);
    }

    [Fact]
    public void Expressions_keep_cel_escapes_and_join_adjacent_literals()
    {
        var test = CelSpecData.Test("comparisons", "eq_proto2_any_unpack_equal");

        Assert.Equal("cel.expr.conformance.proto2", test.Container);
        Assert.Contains("value: b'\\020\\256\\366", test.Expr, StringComparison.Ordinal);
        Assert.Contains("'}} == TestAllTypes{single_any", test.Expr, StringComparison.Ordinal);
        Assert.Equal("\"\\u270c\"", CelSpecData.Test("basic", "self_eval_unicode_escape_four").Expr);
    }

    [Fact]
    public void Map_values_keep_entries_in_order()
    {
        var test = CelSpecData.Test("plumbing", "eval_map_results");

        var expected = new ExpectedValue.MapValue(
        [
            new(new ExpectedValue.StringValue("k"), new ExpectedValue.StringValue("v")),
            new(new ExpectedValue.StringValue("k1"), new ExpectedValue.StringValue("v1")),
        ]);
        Assert.Equal(expected, Expected(test));
        Assert.Equal("{\"k\": \"v\", \"k1\": \"v1\"}", Expected(test).ToString());
    }

    [Fact]
    public void Object_values_keep_the_any_type_url_and_the_raw_message()
    {
        var test = CelSpecData.Test("parse", "struct_field_names", "as");

        var any = Assert.IsType<ExpectedValue.ObjectValue>(Expected(test));
        Assert.Equal("type.googleapis.com/cel.expr.conformance.proto3.TestAllTypes", any.TypeUrl);
        Assert.Equal("cel.expr.conformance.proto3.TestAllTypes", any.TypeName);
        Assert.Null(any.EncodedValue);
        var field = Assert.Single(any.Message!.Fields);
        Assert.Equal("as", field.Name);
        Assert.True(((TextScalar)field.Value).TryGetBool(out var value) && value);
        Assert.Equal("cel.expr.conformance.proto3", test.Container);
        Assert.Equal("TestAllTypes{ as: true }", test.Expr);
    }

    [Fact]
    public void A_bound_message_and_its_declared_type_decode()
    {
        var test = CelSpecData.Test("timestamps", "get_milliseconds");

        var decl = Assert.IsType<ConformanceDecl.IdentDecl>(Assert.Single(test.TypeEnv));
        Assert.Equal("x", decl.Name);
        Assert.Equal(new ExpectedType.MessageType("google.protobuf.Duration"), decl.Type);
        var duration = Assert.IsType<ExpectedValue.ObjectValue>(test.Bindings["x"]);
        Assert.Equal("google.protobuf.Duration", duration.TypeName);
        Assert.True(((TextScalar)duration.Message!.GetField("seconds")!.Value).TryGetInt64(out var seconds));
        Assert.True(((TextScalar)duration.Message.GetField("nanos")!.Value).TryGetInt32(out var nanos));
        Assert.Equal((123L, 321456789), (seconds, nanos));
        Assert.Equal(new ExpectedValue.IntValue(321), Expected(test));
    }

    [Fact]
    public void Eval_errors_keep_their_messages()
    {
        var test = CelSpecData.Test("basic", "self_eval_unbound_lookup");

        Assert.True(test.DisableCheck);
        Assert.Equal(new ExpectedResult.EvalError(["undeclared reference to 'x' (in container '')"]), test.Result);
        Assert.True(test.HasExplicitResult);
    }

    [Fact]
    public void Type_env_declares_typed_identifiers_matching_their_bindings()
    {
        var test = CelSpecData.Test("comparisons", "map_ne_right_false");

        var decl = Assert.IsType<ConformanceDecl.IdentDecl>(Assert.Single(test.TypeEnv));
        var stringType = new ExpectedType.PrimitiveType(ExpectedType.PrimitiveKind.String);
        Assert.Equal(new ExpectedType.MapType(stringType, stringType), decl.Type);
        Assert.Equal("map(string, string)", decl.Type.ToString());
        var bound = Assert.IsType<ExpectedValue.MapValue>(Assert.Single(test.Bindings).Value);
        Assert.Equal(["c", "a"], bound.Entries.Select(e => ((ExpectedValue.StringValue)e.Key).Value));
        Assert.Equal(new ExpectedValue.BoolValue(false), Expected(test));
    }

    [Fact]
    public void Several_declarations_and_bindings_with_a_container()
    {
        var test = CelSpecData.Test("namespace", "self_eval_container_lookup");

        Assert.Equal("x", test.Container);
        Assert.Equal(["x.y", "y"], test.TypeEnv.Select(d => d.Name));
        Assert.Equal(new ExpectedValue.BoolValue(true), test.Bindings["x.y"]);
        Assert.Equal(new ExpectedValue.StringValue("false"), test.Bindings["y"]);
    }

    [Fact]
    public void Null_spellings_decode_as_null()
    {
        Assert.Equal(new ExpectedValue.NullValue(), Expected(CelSpecData.Test("basic", "null")));
        var decl = Assert.IsType<ConformanceDecl.IdentDecl>(Assert.Single(CelSpecData.Test("comparisons", "null_eq_left_true").TypeEnv));
        Assert.Equal(new ExpectedType.NullType(), decl.Type);
    }

    [Fact]
    public void Special_doubles_decode()
    {
        Assert.Equal(double.PositiveInfinity, DoubleOf("divide_zero"));
        Assert.Equal(double.PositiveInfinity, DoubleOf("fp_overflow_positive"));
        Assert.Equal(double.NegativeInfinity, DoubleOf("fp_overflow_negative"));
        Assert.True(double.IsNegative(DoubleOf("negative_zero")));

        static double DoubleOf(string name) =>
            Assert.IsType<ExpectedValue.DoubleValue>(Expected(CelSpecData.Test("fp_math", name))).Value;
    }

    [Fact]
    public void Type_values_decode()
    {
        Assert.Equal(new ExpectedValue.TypeValue("list"), Expected(CelSpecData.Test("conversions", "dyn_heterogeneous_list")));
    }

    [Fact]
    public void A_test_without_a_matcher_expects_true()
    {
        var test = CelSpecData.Load("string_ext").Tests.First(t => t.Expr == "'tacocat'.indexOf('', 3) == 3");

        Assert.False(test.HasExplicitResult);
        Assert.Equal(new ExpectedResult.Value(new ExpectedValue.BoolValue(true)), test.Result);
    }

    [Fact]
    public void Tests_know_their_id_and_place()
    {
        var test = CelSpecData.Test("basic", "self_eval_int_zero");

        Assert.Equal("basic/self_eval_zeroish/self_eval_int_zero", test.Id);
        Assert.Equal(new TextPosition(9, 3), test.Position);
    }
}
