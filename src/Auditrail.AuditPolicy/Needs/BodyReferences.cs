using Auditrail.Cel.Runtime;
using Auditrail.Cel.Syntax;
using Auditrail.Core.Model;

namespace Auditrail.AuditPolicy.Needs;

/// <summary>
/// What a rule condition reads of the request and response bodies, through the pack's macros: a
/// reference to <c>requestObject</c> needs audit level Request, to <c>responseObject</c>
/// RequestResponse. And the condition with the body-dependent parts taken out, so it can be asked of
/// an event logged without bodies: "could the rule fire on this request, if the body were logged?"
/// </summary>
internal sealed class BodyReferences(IReadOnlyDictionary<string, Expr> named)
{
    public const string RequestBody = "requestObject";
    public const string ResponseBody = "responseObject";

    private readonly Dictionary<string, AuditLevel> _macroLevels = new(StringComparer.Ordinal);

    /// <summary>The audit level at which everything the expression reads is in the event.</summary>
    public AuditLevel LevelNeeded(Expr expr) => expr switch
    {
        IdentExpr { Name: RequestBody } => AuditLevel.Request,
        IdentExpr { Name: ResponseBody } => AuditLevel.RequestResponse,
        IdentExpr ident when named.TryGetValue(ident.Name, out var body) => MacroLevel(ident.Name, body),
        _ => Children(expr).Select(LevelNeeded).DefaultIfEmpty(AuditLevel.Metadata).Max(),
    };

    /// <summary>The level a catalog field needs (exception and state fields name fields, not expressions).</summary>
    public static AuditLevel LevelNeeded(string field) =>
        field.StartsWith(ResponseBody, StringComparison.Ordinal) ? AuditLevel.RequestResponse
        : field.StartsWith(RequestBody, StringComparison.Ordinal) ? AuditLevel.Request
        : AuditLevel.Metadata;

    /// <summary>
    /// The condition over metadata alone that holds whenever the original could hold for some body: each
    /// part that reads a body becomes true where it counts for the rule (false under a negation), through
    /// <c>&amp;&amp;</c>, <c>||</c>, <c>!</c> and conditionals whose test reads no body.
    /// </summary>
    public Expr Relax(Expr expr, bool positive = true)
    {
        if (LevelNeeded(expr) == AuditLevel.Metadata)
        {
            return expr;
        }

        switch (expr)
        {
            case IdentExpr ident when named.TryGetValue(ident.Name, out var body):
                return Relax(body, positive);
            case CallExpr { Target: null, Function: Operators.LogicalAnd or Operators.LogicalOr } call:
                return call with { Args = [.. call.Args.Select(a => Relax(a, positive))] };
            case CallExpr { Target: null, Function: Operators.LogicalNot, Args.Count: 1 } not:
                return not with { Args = [Relax(not.Args[0], !positive)] };
            case CallExpr { Target: null, Function: Operators.Conditional, Args.Count: 3 } conditional when LevelNeeded(conditional.Args[0]) == AuditLevel.Metadata:
                return conditional with { Args = [conditional.Args[0], Relax(conditional.Args[1], positive), Relax(conditional.Args[2], positive)] };
            default:
                return new ConstExpr(expr.Id, expr.Position, CelValue.Bool(positive));
        }
    }

    /// <summary>
    /// The lowest level at which the rule still works: a condition may test the event's own level to
    /// accept less (<c>level == 'Metadata' || requestObject…</c>); at a level where those tests leave
    /// no body read standing, the rule needs no more.
    /// </summary>
    public AuditLevel MinimumLevel(Expr condition) =>
        new[] { AuditLevel.Metadata, AuditLevel.Request }.FirstOrDefault(level => LevelNeeded(AtLevel(condition, level)) <= level, AuditLevel.RequestResponse);

    /// <summary>The condition with the event's level known: level tests become constants, folded through the logic around them.</summary>
    private Expr AtLevel(Expr expr, AuditLevel level)
    {
        switch (expr)
        {
            case IdentExpr ident when named.TryGetValue(ident.Name, out var body) && LevelNeeded(body) > AuditLevel.Metadata:
                return AtLevel(body, level);
            case CallExpr { Target: null, Function: Operators.Equal or Operators.NotEquals, Args: [IdentExpr { Name: "level" }, ConstExpr { Value.Kind: CelKind.String } tested] } comparison:
                var equal = tested.Value.AsString == level.ToWireName();
                return new ConstExpr(expr.Id, expr.Position, CelValue.Bool(comparison.Function == Operators.Equal ? equal : !equal));
            case CallExpr { Target: null, Function: Operators.LogicalAnd or Operators.LogicalOr } logic:
                var args = logic.Args.Select(a => AtLevel(a, level)).ToList();
                var absorbing = logic.Function == Operators.LogicalOr;
                if (args.Any(a => IsBool(a, absorbing)))
                {
                    return new ConstExpr(expr.Id, expr.Position, CelValue.Bool(absorbing));
                }

                args.RemoveAll(a => IsBool(a, !absorbing));
                return args.Count switch
                {
                    0 => new ConstExpr(expr.Id, expr.Position, CelValue.Bool(!absorbing)),
                    1 => args[0],
                    _ => logic with { Args = args },
                };
            case CallExpr { Target: null, Function: Operators.LogicalNot, Args.Count: 1 } not:
                var operand = AtLevel(not.Args[0], level);
                return operand is ConstExpr { Value.Kind: CelKind.Bool } constant
                    ? new ConstExpr(expr.Id, expr.Position, CelValue.Bool(!constant.Value.AsBool))
                    : not with { Args = [operand] };
            default:
                return expr;
        }
    }

    private static bool IsBool(Expr expr, bool value) => expr is ConstExpr { Value.Kind: CelKind.Bool } constant && constant.Value.AsBool == value;

    private AuditLevel MacroLevel(string name, Expr body)
    {
        if (_macroLevels.TryGetValue(name, out var level))
        {
            return level;
        }

        // A cycle cannot compile, but must not loop here either: assume metadata while expanding.
        _macroLevels[name] = AuditLevel.Metadata;
        return _macroLevels[name] = LevelNeeded(body);
    }

    private static IEnumerable<Expr> Children(Expr expr) => expr switch
    {
        SelectExpr select => [select.Operand],
        CallExpr call => call.Target is null ? call.Args : [call.Target, .. call.Args],
        ListExpr list => list.Elements,
        MapExpr map => map.Entries.SelectMany(e => new[] { e.Key, e.Value }),
        StructExpr structure => structure.Fields.Select(f => f.Value),
        ComprehensionExpr loop => [loop.IterRange, loop.AccuInit, loop.LoopCondition, loop.LoopStep, loop.Result],
        _ => [],
    };
}
