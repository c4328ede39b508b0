namespace Auditrail.Cel.Conformance;

/// <summary>
/// What a test's evaluation must produce: the <c>result_matcher</c> oneof of <c>SimpleTest</c>
/// (cel-spec proto/cel/expr/conformance/test/simple.proto). Error and unknown sets come from
/// <c>cel.expr.ErrorSet</c> and <c>cel.expr.UnknownSet</c> (eval.proto).
/// </summary>
public abstract record ExpectedResult
{
    private protected ExpectedResult()
    {
    }

    /// <summary><c>value</c>: the result must equal this value. Also what a test with no matcher expects (<c>true</c>).</summary>
    public sealed record Value(ExpectedValue Expected) : ExpectedResult;

    /// <summary>
    /// <c>typed_result</c>: the checker must deduce <see cref="DeducedType"/> and evaluation must give
    /// <see cref="Result"/>. Either may be absent; the result is ignored for <c>check_only</c> tests.
    /// </summary>
    public sealed record TypedResult(ExpectedValue? Result, ExpectedType? DeducedType) : ExpectedResult;

    /// <summary>
    /// <c>eval_error</c>: evaluation must fail. The messages are what the reference implementation
    /// said; conformance runners conventionally check only that an error occurred.
    /// </summary>
    public sealed record EvalError(IReadOnlyList<string> Messages) : ExpectedResult
    {
        public bool Equals(EvalError? other) => other is not null && StructuralEquality.ListEquals(Messages, other.Messages);

        public override int GetHashCode() => StructuralEquality.ListHash(Messages);
    }

    /// <summary><c>any_eval_errors</c>: evaluation must fail with one of these error sets.</summary>
    public sealed record AnyEvalErrors(IReadOnlyList<IReadOnlyList<string>> ErrorSets) : ExpectedResult
    {
        public bool Equals(AnyEvalErrors? other) => other is not null && StructuralEquality.NestedListEquals(ErrorSets, other.ErrorSets);

        public override int GetHashCode() => ErrorSets.Count;
    }

    /// <summary><c>unknown</c>: the result must be unknown, caused by these expression ids.</summary>
    public sealed record Unknown(IReadOnlyList<long> ExprIds) : ExpectedResult
    {
        public bool Equals(Unknown? other) => other is not null && StructuralEquality.ListEquals(ExprIds, other.ExprIds);

        public override int GetHashCode() => StructuralEquality.ListHash(ExprIds);
    }

    /// <summary><c>any_unknowns</c>: the result must be unknown with one of these id sets.</summary>
    public sealed record AnyUnknowns(IReadOnlyList<IReadOnlyList<long>> UnknownSets) : ExpectedResult
    {
        public bool Equals(AnyUnknowns? other) => other is not null && StructuralEquality.NestedListEquals(UnknownSets, other.UnknownSets);

        public override int GetHashCode() => UnknownSets.Count;
    }

    public sealed override string ToString() => this switch
    {
        Value v => v.Expected.ToString(),
        TypedResult t => $"{t.Result?.ToString() ?? "(any value)"} of type {t.DeducedType?.ToString() ?? "(any type)"}",
        EvalError e => $"error({string.Join("; ", e.Messages)})",
        AnyEvalErrors a => $"one of {string.Join(" | ", a.ErrorSets.Select(s => $"error({string.Join("; ", s)})"))}",
        Unknown u => $"unknown({string.Join(", ", u.ExprIds)})",
        AnyUnknowns a => $"one of {string.Join(" | ", a.UnknownSets.Select(s => $"unknown({string.Join(", ", s)})"))}",
        _ => GetType().Name,
    };
}
