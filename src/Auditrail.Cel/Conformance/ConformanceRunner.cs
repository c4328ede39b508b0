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
    private const string NeedsMessages = "needs the proto2/proto3 test message types (protobuf messages are not part of our CEL)";
    private const string NeedsEnums = "needs protobuf enum types, which our CEL does not have";
    private const string NeedsWrappers = "needs the google.protobuf wrapper types (Int64Value and kin), which our CEL does not have";
    private const string NeedsJsonTypes = "needs google.protobuf Any/Struct/Value/ListValue/NullValue/Empty/FieldMask, which our CEL does not have";

    /// <summary>
    /// Text in an expression that only makes sense with protobuf support, and what it needs. Checked in
    /// order, so a test that builds a TestAllTypes around a wrapper reports the wrapper. google.protobuf.Timestamp
    /// and Duration as types are ours; only building them as messages is not.
    /// </summary>
    private static readonly (string Marker, string Reason)[] ProtoMarkers =
    [
        ("google.protobuf.BoolValue", NeedsWrappers), ("google.protobuf.BytesValue", NeedsWrappers),
        ("google.protobuf.DoubleValue", NeedsWrappers), ("google.protobuf.FloatValue", NeedsWrappers),
        ("google.protobuf.Int32Value", NeedsWrappers), ("google.protobuf.Int64Value", NeedsWrappers),
        ("google.protobuf.StringValue", NeedsWrappers), ("google.protobuf.UInt32Value", NeedsWrappers),
        ("google.protobuf.UInt64Value", NeedsWrappers), ("_wrapper", NeedsWrappers),
        ("google.protobuf.Any", NeedsJsonTypes), ("google.protobuf.Struct", NeedsJsonTypes), ("google.protobuf.Value", NeedsJsonTypes),
        ("google.protobuf.ListValue", NeedsJsonTypes), ("google.protobuf.NullValue", NeedsJsonTypes), ("Value{", NeedsJsonTypes),
        ("google.protobuf.Empty", NeedsJsonTypes), ("google.protobuf.FieldMask", NeedsJsonTypes),
        ("GlobalEnum", NeedsEnums), ("NestedEnum", NeedsEnums), ("standalone_enum", NeedsEnums), ("_enum", NeedsEnums),
        ("TestAllTypes", NeedsMessages), ("NestedTestAllTypes", NeedsMessages), ("TestRequired", NeedsMessages),
        ("cel.expr.conformance", NeedsMessages), ("google.api.expr.test", NeedsMessages),
        ("google.protobuf.Timestamp{", NeedsMessages), ("google.protobuf.Duration{", NeedsMessages),
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

    /// <summary>Why the runner cannot judge this test, or null when it can.</summary>
    private static string? SkipReason(ConformanceTest test)
    {
        if (test.Result is ExpectedResult.Unknown or ExpectedResult.AnyUnknowns)
        {
            return "needs partial evaluation (unknown values), which the engine does not implement";
        }

        foreach (var (marker, reason) in ProtoMarkers)
        {
            if (test.Expr.Contains(marker, StringComparison.Ordinal))
            {
                return reason;
            }
        }

        if (test.Bindings.Values.Any(v => Contains<ExpectedValue.EnumValue>(v))
            || test.Result is ExpectedResult.Value { Expected: var enumExpected } && Contains<ExpectedValue.EnumValue>(enumExpected))
        {
            return NeedsEnums;
        }

        // A variable of a google.protobuf type says more precisely what is missing than "messages".
        var boundTypes = test.TypeEnv.OfType<ConformanceDecl.IdentDecl>().Select(d => d.Type).OfType<ExpectedType.MessageType>().Select(m => m.Name)
            .Concat(test.Bindings.Values.OfType<ExpectedValue.ObjectValue>().Select(o => o.TypeName));
        foreach (var typeName in boundTypes)
        {
            if (WellKnownMessageReason(typeName) is { } wellKnown)
            {
                return wellKnown;
            }
        }

        if (test.Container.StartsWith("cel.expr.conformance", StringComparison.Ordinal)
            || test.Container.StartsWith("google.api.expr.test", StringComparison.Ordinal)
            || test.Bindings.Values.Any(v => Contains<ExpectedValue.ObjectValue>(v))
            || test.Result is ExpectedResult.Value { Expected: var expected } && Contains<ExpectedValue.ObjectValue>(expected)
            || test.Result is ExpectedResult.TypedResult { Result: { } typed } && Contains<ExpectedValue.ObjectValue>(typed)
            || test.TypeEnv.OfType<ConformanceDecl.IdentDecl>().Any(d => MentionsMessage(d.Type)))
        {
            return NeedsMessages;
        }

        if (test.TypeEnv.OfType<ConformanceDecl.FunctionDecl>().Any())
        {
            return "declares its own functions in type_env; the runner declares variables only";
        }

        // Our checker infers types but the runner has no comparison of them with cel-spec's
        // deduced_type, so a test whose only verdict is the type cannot be judged.
        if (test.CheckOnly || test.Result is ExpectedResult.TypedResult { Result: null })
        {
            return "check-only: its verdict is the checker's deduced type, which the runner does not compare";
        }

        return null;
    }

    private static string? WellKnownMessageReason(string typeName) => typeName switch
    {
        "google.protobuf.BoolValue" or "google.protobuf.BytesValue" or "google.protobuf.DoubleValue" or "google.protobuf.FloatValue"
            or "google.protobuf.Int32Value" or "google.protobuf.Int64Value" or "google.protobuf.StringValue"
            or "google.protobuf.UInt32Value" or "google.protobuf.UInt64Value" => NeedsWrappers,
        "google.protobuf.Any" or "google.protobuf.Struct" or "google.protobuf.Value" or "google.protobuf.ListValue"
            or "google.protobuf.Empty" or "google.protobuf.FieldMask" => NeedsJsonTypes,
        _ => null,
    };

    private static bool Contains<T>(ExpectedValue value) where T : ExpectedValue => value switch
    {
        T => true,
        ExpectedValue.ListValue list => list.Values.Any(Contains<T>),
        ExpectedValue.MapValue map => map.Entries.Any(e => Contains<T>(e.Key) || Contains<T>(e.Value)),
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
            ParserOptions = ParserOptions.Default with { Macros = !test.DisableMacros, HiddenIdentifiers = true },
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
            return Fail(test, "no expected value to compare with");
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
