using Auditrail.Cel.Conformance;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>Tests that need what our CEL lacks are skipped with the reason, never failed.</summary>
public class ConformanceSkipTests
{
    private static ConformanceTestResult Run(string file, string id) =>
        ConformanceRunner.Run(ConformanceFile.Load(Path.Combine(AppContext.BaseDirectory, "data", "cel-spec-more", file)))
            .Tests.Single(t => t.Test.Id == id);

    [Theory]
    [InlineData("wrappers/int64/to_any", "wrapper types")]
    [InlineData("wrappers/value/default_to_json", "proto2/proto3 test message types")]
    [InlineData("wrappers/field_mask/to_json", "FieldMask")]
    public void Wrapper_and_json_type_tests_are_skipped_with_what_they_need(string id, string reason)
    {
        var result = Run("wrappers.textproto", id);

        Assert.Equal(ConformanceOutcome.Skipped, result.Outcome);
        Assert.Contains(reason, result.Detail);
    }

    [Theory]
    [InlineData("type_deductions/flexible_type_parameter_assignment/list_parameter", "deduced type")]
    [InlineData("type_deductions/functions/function_result_type", "declares its own functions")]
    [InlineData("type_deductions/type_parameters/multiple_parameters_generality", "declares its own functions")]
    [InlineData("type_deductions/wrappers/wrapper_promotion", "wrapper types")]
    public void Type_deduction_tests_the_runner_cannot_judge_are_skipped(string id, string reason)
    {
        var result = Run("type_deduction.textproto", id);

        Assert.Equal(ConformanceOutcome.Skipped, result.Outcome);
        Assert.Contains(reason, result.Detail);
    }

    [Fact]
    public void Typed_results_with_a_value_are_still_compared_by_value()
    {
        var result = Run("type_deduction.textproto", "type_deductions/complex_initializers/map");

        Assert.Equal(ConformanceOutcome.Passed, result.Outcome);
    }

    [Theory]
    [InlineData("google.protobuf.Int32Value", "{ value: 7 }", "wrapper types")]
    [InlineData("google.protobuf.Struct", "{ }", "Struct")]
    [InlineData("google.protobuf.Any", "{ }", "Any")]
    public void A_variable_of_a_well_known_message_type_names_that_type_family(string type, string body, string reason)
    {
        // The shape of cel-spec's dynamic.textproto "var" tests.
        var text = $$"""
            name: "dynamic"
            section {
              name: "s"
              test {
                name: "var"
                expr: "x"
                type_env { name: "x" ident { type { message_type: "{{type}}" } } }
                bindings { key: "x" value { value { object_value { [type.googleapis.com/{{type}}] {{body}} } } } }
                value { int64_value: 7 }
              }
            }
            """;

        var result = ConformanceRunner.Run(ConformanceFile.Parse(text, "dynamic.textproto")).Tests.Single();

        Assert.Equal(ConformanceOutcome.Skipped, result.Outcome);
        Assert.Contains(reason, result.Detail);
    }
}
