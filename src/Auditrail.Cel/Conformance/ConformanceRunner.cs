using Auditrail.Cel.Runtime;
using Auditrail.Cel.Syntax;

namespace Auditrail.Cel.Conformance;

public enum ConformanceOutcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One test's result; <see cref="Detail"/> says why it failed or was skipped.</summary>
public sealed record ConformanceTestResult(ConformanceTest Test, ConformanceOutcome Outcome, string? Detail);

/// <summary>Results of one file.</summary>
public sealed record ConformanceFileResult(string Name, IReadOnlyList<ConformanceTestResult> Tests)
{
    public int Passed => Tests.Count(t => t.Outcome == ConformanceOutcome.Passed);
    public int Failed => Tests.Count(t => t.Outcome == ConformanceOutcome.Failed);
    public int Skipped => Tests.Count(t => t.Outcome == ConformanceOutcome.Skipped);

    /// <summary>Share of the tests that ran which passed.</summary>
    public double PassRate => Passed + Failed == 0 ? 1 : (double)Passed / (Passed + Failed);
}

/// <summary>
/// Runs cel-spec's simple conformance tests against our engine: compile (checking unless the test
/// disables it), evaluate with the test's bindings, and compare with the expected value, error or
/// default <c>true</c>. Tests that need what the engine does not have (protobuf message types,
/// partial evaluation) are skipped with that reason.
/// </summary>
public static class ConformanceRunner
{
    /// <summary>
    /// Names that only exist with protobuf message support: the conformance messages, wrapper and
    /// JSON-struct types, and message construction. google.protobuf.Timestamp and Duration as types are ours.
    /// </summary>
    private static readonly string[] ProtoMarkers =
    [
        "TestAllTypes", "cel.expr.conformance", "google.protobuf.Any", "google.protobuf.Struct", "google.protobuf.Value",
        "google.protobuf.ListValue", "google.protobuf.NullValue", "Value{", "google.protobuf.Empty", "google.protobuf.FieldMask",
        "google.protobuf.Timestamp{", "google.protobuf.Duration{",
    ];

    public static ConformanceFileResult Run(ConformanceFile file) =>
        new(file.Name, file.Tests.Select(Run).ToList());

    public static ConformanceTestResult Run(ConformanceTest test)
    {
        if (SkipReason(test) is { } reason)
        {
            return new ConformanceTestResult(test, ConformanceOutcome.Skipped, reason);
        }

        try
        {
            return Execute(test);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A crash in the engine is a failure of that test, reported, never the end of the run.
            return new ConformanceTestResult(test, ConformanceOutcome.Failed, $"engine threw {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string? SkipReason(ConformanceTest test)
    {
        if (test.Result is ExpectedResult.Unknown or ExpectedResult.AnyUnknowns)
        {
            return "needs partial evaluation (unknown values), which the engine does not implement";
        }

        var usesProto = ProtoMarkers.Any(m => test.Expr.Contains(m, StringComparison.Ordinal))
            || test.Container.StartsWith("cel.expr.conformance", StringComparison.Ordinal)
            || test.Bindings.Values.Any(ContainsObject)
            || test.Result is ExpectedResult.Value { Expected: var expected } && ContainsObject(expected)
            || test.TypeEnv.OfType<ConformanceDecl.IdentDecl>().Any(d => MentionsMessage(d.Type));
        return usesProto ? "needs the proto2/proto3 test message types (protobuf messages are not part of our CEL)" : null;
    }

    private static bool ContainsObject(ExpectedValue value) => value switch
    {
        ExpectedValue.ObjectValue => true,
        ExpectedValue.ListValue list => list.Values.Any(ContainsObject),
        ExpectedValue.MapValue map => map.Entries.Any(e => ContainsObject(e.Key) || ContainsObject(e.Value)),
        _ => false,
    };

    private static bool MentionsMessage(ExpectedType type) => type switch
    {
        ExpectedType.MessageType or ExpectedType.WrapperType => true,
        ExpectedType.WellKnownType { Kind: ExpectedType.WellKnownKind.Any } => true,
        ExpectedType.ListType list => MentionsMessage(list.ElemType),
        ExpectedType.MapType map => MentionsMessage(map.KeyType) || MentionsMessage(map.ValueType),
        _ => false,
    };

    private static ConformanceTestResult Execute(ConformanceTest test)
    {
        var environment = new CelEnvironment
        {
            Container = test.Container,
            CheckTypes = !test.DisableCheck,
            ParserOptions = ParserOptions.Default with { Macros = !test.DisableMacros },
        };
        foreach (var decl in test.TypeEnv.OfType<ConformanceDecl.IdentDecl>())
        {
            environment.Declare(decl.Name, test.DisableCheck ? CelType.Dyn : ToType(decl.Type));
        }

        var bindings = new Dictionary<string, CelValue>(StringComparer.Ordinal);
        foreach (var (name, value) in test.Bindings)
        {
            environment.Declare(name, CelType.Dyn);
            bindings[name] = ToValue(value);
        }

        var compiled = environment.Compile(test.Expr);
        var expectsError = test.Result is ExpectedResult.EvalError or ExpectedResult.AnyEvalErrors;
        if (!compiled.Success)
        {
            // A checker rejection of an expression that must fail at runtime is the same verdict, earlier.
            return expectsError
                ? Pass(test)
                : Fail(test, $"does not compile: {string.Join("; ", compiled.Diagnostics)}");
        }

        var actual = compiled.Program!.Evaluate(new MapActivation(environment, bindings));
        if (expectsError)
        {
            return actual.IsError ? Pass(test) : Fail(test, $"expected an error, got {actual}");
        }

        var expected = test.Result switch
        {
            ExpectedResult.Value v => v.Expected,
            ExpectedResult.TypedResult { Result: { } r } => r,
            _ => null,
        };
        if (expected is null)
        {
            return new ConformanceTestResult(test, ConformanceOutcome.Skipped, "check-only test without a value to compare");
        }

        if (actual.IsError)
        {
            return Fail(test, $"expected {expected}, got {actual}");
        }

        var expectedValue = ToValue(expected);
        return SameValue(expectedValue, actual) ? Pass(test) : Fail(test, $"expected {expected}, got {actual}");
    }

    private static ConformanceTestResult Pass(ConformanceTest test) => new(test, ConformanceOutcome.Passed, null);

    private static ConformanceTestResult Fail(ConformanceTest test, string detail) => new(test, ConformanceOutcome.Failed, detail);

    /// <summary>Equality for test matching: like CEL equality, but kinds must agree (1 is not 1u) and NaN matches NaN.</summary>
    public static bool SameValue(CelValue expected, CelValue actual)
    {
        if (expected.Kind != actual.Kind)
        {
            return false;
        }

        switch (expected.Kind)
        {
            case CelKind.Double:
                return double.IsNaN(expected.AsDouble) ? double.IsNaN(actual.AsDouble) : expected.AsDouble.Equals(actual.AsDouble);
            case CelKind.List:
                var el = expected.AsList;
                var al = actual.AsList;
                return el.Count == al.Count && Enumerable.Range(0, el.Count).All(i => SameValue(el[i], al[i]));
            case CelKind.Map:
                var em = expected.AsMap;
                var am = actual.AsMap;
                return em.Count == am.Count && em.Entries.All(e => am.TryGet(e.Key, out var v) && SameValue(e.Value, v));
            default:
                return Values.AreEqual(expected, actual);
        }
    }

    public static CelValue ToValue(ExpectedValue value) => value switch
    {
        ExpectedValue.NullValue => CelValue.Null,
        ExpectedValue.BoolValue b => CelValue.Bool(b.Value),
        ExpectedValue.IntValue i => CelValue.Int(i.Value),
        ExpectedValue.UintValue u => CelValue.Uint(u.Value),
        ExpectedValue.DoubleValue d => CelValue.Double(d.Value),
        ExpectedValue.StringValue s => CelValue.String(s.Value),
        ExpectedValue.BytesValue b => CelValue.Bytes(b.Value),
        ExpectedValue.EnumValue e => CelValue.Int(e.Value),
        ExpectedValue.ListValue l => CelValue.List(l.Values.Select(ToValue).ToArray()),
        ExpectedValue.MapValue m => ToMap(m),
        ExpectedValue.TypeValue t => CelValue.Type(TypeByName(t.Name)),
        _ => CelValue.Error($"unsupported expected value {value}"),
    };

    private static CelValue ToMap(ExpectedValue.MapValue map)
    {
        var result = new CelMap(map.Entries.Count);
        foreach (var entry in map.Entries)
        {
            result.TryAdd(ToValue(entry.Key), ToValue(entry.Value));
        }

        return CelValue.Map(result);
    }

    private static CelType TypeByName(string name) => name switch
    {
        "int" => CelType.Int,
        "uint" => CelType.Uint,
        "double" => CelType.Double,
        "bool" => CelType.Bool,
        "string" => CelType.String,
        "bytes" => CelType.Bytes,
        "list" => CelType.ListOfDyn,
        "map" => CelType.MapOfDyn,
        "null_type" => CelType.NullType,
        "type" => CelType.TypeType,
        "google.protobuf.Timestamp" => CelType.Timestamp,
        "google.protobuf.Duration" => CelType.Duration,
        "optional_type" => CelType.OptionalOfDyn,
        _ => CelType.Object(name),
    };

    public static CelType ToType(ExpectedType type) => type switch
    {
        ExpectedType.PrimitiveType p => p.Kind switch
        {
            ExpectedType.PrimitiveKind.Bool => CelType.Bool,
            ExpectedType.PrimitiveKind.Int64 => CelType.Int,
            ExpectedType.PrimitiveKind.Uint64 => CelType.Uint,
            ExpectedType.PrimitiveKind.Double => CelType.Double,
            ExpectedType.PrimitiveKind.String => CelType.String,
            ExpectedType.PrimitiveKind.Bytes => CelType.Bytes,
            _ => CelType.Dyn,
        },
        ExpectedType.WellKnownType { Kind: ExpectedType.WellKnownKind.Timestamp } => CelType.Timestamp,
        ExpectedType.WellKnownType { Kind: ExpectedType.WellKnownKind.Duration } => CelType.Duration,
        ExpectedType.ListType l => CelType.List(ToType(l.ElemType)),
        ExpectedType.MapType m => CelType.Map(ToType(m.KeyType), ToType(m.ValueType)),
        ExpectedType.NullType => CelType.NullType,
        ExpectedType.TypeType => CelType.TypeType,
        _ => CelType.Dyn,
    };
}
