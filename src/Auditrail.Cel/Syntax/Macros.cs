using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Syntax;

/// <summary>
/// Expands CEL's macros into comprehensions and selects, as the spec defines them:
/// <c>has</c>, <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c> (2 and 3 arguments),
/// <c>filter</c>, two-variable <c>all/exists/existsOne</c>, <c>transformList</c>, <c>transformMap</c>,
/// <c>transformMapEntry</c>, <c>cel.bind</c>, <c>cel.block</c> with <c>cel.index</c> (and the test-only
/// <c>cel.iterVar</c>/<c>cel.accuVar</c> that name its loop variables), the optional library's <c>optMap</c> and <c>optFlatMap</c>,
/// and the math library's variadic <c>math.greatest/least</c>.
/// </summary>
internal static class Macros
{
    public const string Accumulator = "@result";

    /// <summary>
    /// The function map-building macros step with: <c>(map, key, value)</c> adds one entry,
    /// <c>(map, map)</c> adds every entry of the second. The <c>@</c> keeps it out of users' reach,
    /// since no identifier written in an expression can contain one.
    /// </summary>
    public const string MapInsert = "cel.@mapInsert";

    public static bool TryExpand(Parser parser, int position, Expr? target, string function, IReadOnlyList<Expr> args, out Expr expanded)
    {
        var b = new Builder(parser, position);
        expanded = (target, function, args.Count) switch
        {
            (null, "has", 1) => Has(parser, position, args[0]),
            (not null, "all", 2) => b.All(target, Var(parser, args[0]), null, args[1]),
            (not null, "all", 3) => b.All(target, Var(parser, args[0]), Var(parser, args[1]), args[2]),
            (not null, "exists", 2) => b.Exists(target, Var(parser, args[0]), null, args[1]),
            (not null, "exists", 3) => b.Exists(target, Var(parser, args[0]), Var(parser, args[1]), args[2]),
            (not null, "exists_one" or "existsOne", 2) => b.ExistsOne(target, Var(parser, args[0]), null, args[1]),
            (not null, "exists_one" or "existsOne", 3) => b.ExistsOne(target, Var(parser, args[0]), Var(parser, args[1]), args[2]),
            (not null, "map", 2) => b.Map(target, Var(parser, args[0]), null, args[1]),
            (not null, "map", 3) => b.Map(target, Var(parser, args[0]), args[1], args[2]),
            (not null, "filter", 2) => b.Filter(target, Var(parser, args[0]), args[1]),
            (not null, "transformList", 3) => b.TransformList(target, Var(parser, args[0]), Var(parser, args[1]), null, args[2]),
            (not null, "transformList", 4) => b.TransformList(target, Var(parser, args[0]), Var(parser, args[1]), args[2], args[3]),
            (not null, "transformMap", 3) => b.TransformMap(target, Var(parser, args[0]), Var(parser, args[1]), null, args[2], entry: false),
            (not null, "transformMap", 4) => b.TransformMap(target, Var(parser, args[0]), Var(parser, args[1]), args[2], args[3], entry: false),
            (not null, "transformMapEntry", 3) => b.TransformMap(target, Var(parser, args[0]), Var(parser, args[1]), null, args[2], entry: true),
            (not null, "transformMapEntry", 4) => b.TransformMap(target, Var(parser, args[0]), Var(parser, args[1]), args[2], args[3], entry: true),
            (IdentExpr { Name: "math" }, "greatest" or "least", >= 3) => b.Variadic($"math.{function}", args),
            (IdentExpr { Name: "cel" }, "block" or "@block", 2) => BlockInliner.Expand(parser, position, args[0], args[1]),
            (IdentExpr { Name: "cel" }, "index", 1) => new IdentExpr(parser.FreshId(), position, BlockInliner.IndexName(Number(parser, args[0]))),
            (IdentExpr { Name: "cel" }, "iterVar", 2) => new IdentExpr(parser.FreshId(), position, $"@it:{Number(parser, args[0])}:{Number(parser, args[1])}"),
            (IdentExpr { Name: "cel" }, "accuVar", 2) => new IdentExpr(parser.FreshId(), position, $"@ac:{Number(parser, args[0])}:{Number(parser, args[1])}"),
            (IdentExpr { Name: "cel" }, "bind", 3) => b.Bind(Var(parser, args[0]), args[1], args[2]),
            (not null, "optMap", 2) => b.OptMap(target, Var(parser, args[0]), args[1], flat: false),
            (not null, "optFlatMap", 2) => b.OptMap(target, Var(parser, args[0]), args[1], flat: true),
            _ => null!,
        };
        return expanded is not null;
    }

    private static Expr Has(Parser parser, int position, Expr argument) => argument switch
    {
        SelectExpr { TestOnly: false, Optional: false } select => select with { Id = parser.FreshId(), TestOnly = true },
        _ => throw parser.MacroError(position, "invalid argument to has() macro: expected a field selection such as has(a.b)"),
    };

    /// <summary>A non-negative int literal, as cel.index and the block tests' variable macros take.</summary>
    private static long Number(Parser parser, Expr argument) => argument switch
    {
        ConstExpr { Value: { Kind: CelKind.Int, AsInt: >= 0 and var n } } => n,
        _ => throw parser.MacroError(argument.Position, "argument must be a non-negative int literal"),
    };

    private static string Var(Parser parser, Expr argument) => argument switch
    {
        IdentExpr { Name: var name } when !name.StartsWith('.') => name,
        _ => throw parser.MacroError(argument.Position, "argument must be a simple name"),
    };

    /// <summary>Builds the nodes of one expansion with fresh ids at the macro's position.</summary>
    private readonly struct Builder(Parser parser, int position)
    {
        private long Id => parser.FreshId();

        private IdentExpr Accu => new(Id, position, Accumulator);

        private ConstExpr Const(CelValue value) => new(Id, position, value);

        private CallExpr Call(string function, params Expr[] args) => new(Id, position, null, function, args);

        private ComprehensionExpr Loop(Expr range, string iterVar, string? iterVar2, Expr init, Expr condition, Expr step, Expr result)
        {
            // With two variables, the first is the index (lists) or key (maps) and the second the value.
            return new ComprehensionExpr(Id, position, iterVar, iterVar2, range, Accumulator, init, condition, step, result);
        }

        public Expr All(Expr range, string v1, string? v2, Expr predicate) =>
            Loop(range, v1, v2, Const(CelValue.True), Call(Operators.NotStrictlyFalse, Accu),
                Call(Operators.LogicalAnd, Accu, predicate), Accu);

        public Expr Exists(Expr range, string v1, string? v2, Expr predicate) =>
            Loop(range, v1, v2, Const(CelValue.False), Call(Operators.NotStrictlyFalse, Call(Operators.LogicalNot, Accu)),
                Call(Operators.LogicalOr, Accu, predicate), Accu);

        public Expr ExistsOne(Expr range, string v1, string? v2, Expr predicate) =>
            Loop(range, v1, v2, Const(CelValue.Int(0)), Const(CelValue.True),
                Call(Operators.Conditional, predicate, Call(Operators.Add, Accu, Const(CelValue.Int(1))), Accu),
                Call(Operators.Equal, Accu, Const(CelValue.Int(1))));

        public Expr Map(Expr range, string v, Expr? filter, Expr transform) => TransformList(range, v, null, filter, transform);

        /// <summary><c>r.transformList(i, v, [filter,] e)</c>: the list of e for each index and value that pass the filter.</summary>
        public Expr TransformList(Expr range, string v1, string? v2, Expr? filter, Expr transform) =>
            Loop(range, v1, v2, new ListExpr(Id, position, [], []), Const(CelValue.True),
                Filtered(filter, Call(Operators.Add, Accu, new ListExpr(Id, position, [transform], []))), Accu);

        /// <summary>
        /// <c>r.transformMap(k, v, [filter,] e)</c> maps each key (or list index) to e;
        /// <c>transformMapEntry</c> merges the one-entry map e returns, and fails on a key it already has.
        /// </summary>
        public Expr TransformMap(Expr range, string v1, string v2, Expr? filter, Expr transform, bool entry)
        {
            var insert = entry
                ? Call(MapInsert, Accu, transform)
                : Call(MapInsert, Accu, new IdentExpr(Id, position, v1), transform);
            return Loop(range, v1, v2, new MapExpr(Id, position, []), Const(CelValue.True), Filtered(filter, insert), Accu);
        }

        /// <summary>cel-go's form: three or more arguments are one list argument, so one overload serves any count.</summary>
        public Expr Variadic(string function, IReadOnlyList<Expr> args) => Call(function, new ListExpr(Id, position, args, []));

        private Expr Filtered(Expr? filter, Expr step) => filter is null ? step : Call(Operators.Conditional, filter, step, Accu);

        public Expr Filter(Expr range, string v, Expr predicate)
        {
            var step = Call(Operators.Conditional, predicate,
                Call(Operators.Add, Accu, new ListExpr(Id, position, [new IdentExpr(Id, position, v)], [])), Accu);
            return Loop(range, v, null, new ListExpr(Id, position, [], []), Const(CelValue.True), step, Accu);
        }

        /// <summary><c>cel.bind(v, init, body)</c>: a zero-iteration loop whose accumulator is v.</summary>
        public Expr Bind(string v, Expr init, Expr body) =>
            new ComprehensionExpr(Id, position, "#unused", null, new ListExpr(Id, position, [], []), v, init,
                Const(CelValue.False), new IdentExpr(Id, position, v), body);

        /// <summary><c>o.optMap(v, e)</c> is <c>o.hasValue() ? optional.of(cel.bind(v, o.value(), e)) : optional.none()</c>.</summary>
        public Expr OptMap(Expr optional, string v, Expr body, bool flat)
        {
            var value = new CallExpr(Id, position, optional, "value", []);
            Expr bound = Bind(v, value, body);
            if (!flat)
            {
                bound = new CallExpr(Id, position, new IdentExpr(Id, position, "optional"), "of", [bound]);
            }

            var none = new CallExpr(Id, position, new IdentExpr(Id, position, "optional"), "none", []);
            return Call(Operators.Conditional, new CallExpr(Id, position, optional, "hasValue", []), bound, none);
        }
    }
}
