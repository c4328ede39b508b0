using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Syntax;

/// <summary>
/// A parsed CEL expression. Every node has an id (unique in its expression) and the offset in the
/// source where it starts, so every later pass can report line:column.
/// </summary>
public abstract record Expr(long Id, int Position);

public sealed record ConstExpr(long Id, int Position, CelValue Value) : Expr(Id, Position);

public sealed record IdentExpr(long Id, int Position, string Name) : Expr(Id, Position);

/// <param name="TestOnly">The <c>has(a.b)</c> form: tests presence instead of reading.</param>
/// <param name="Optional">The <c>a.?b</c> form: yields optional.none() when b is absent.</param>
public sealed record SelectExpr(long Id, int Position, Expr Operand, string Field, bool TestOnly = false, bool Optional = false) : Expr(Id, Position);

/// <summary>A function call; operators are calls too (<c>_+_</c>, <c>_==_</c>, <c>@in</c>, <c>_[_]</c>).</summary>
public sealed record CallExpr(long Id, int Position, Expr? Target, string Function, IReadOnlyList<Expr> Args) : Expr(Id, Position);

/// <param name="OptionalIndices">Elements written <c>?e</c>: included only when the optional has a value.</param>
public sealed record ListExpr(long Id, int Position, IReadOnlyList<Expr> Elements, IReadOnlyList<int> OptionalIndices) : Expr(Id, Position);

public sealed record MapEntry(Expr Key, Expr Value, bool Optional);

public sealed record MapExpr(long Id, int Position, IReadOnlyList<MapEntry> Entries) : Expr(Id, Position);

public sealed record FieldInit(string Field, Expr Value, bool Optional);

/// <summary>Message construction <c>pkg.Type{field: value}</c>.</summary>
public sealed record StructExpr(long Id, int Position, string MessageName, IReadOnlyList<FieldInit> Fields) : Expr(Id, Position);

/// <summary>
/// The one loop construct macros expand into: iterate <see cref="IterRange"/> binding
/// <see cref="IterVar"/> (and <see cref="IterVar2"/> for two-variable forms), fold into the accumulator
/// while <see cref="LoopCondition"/> holds, then evaluate <see cref="Result"/>.
/// </summary>
public sealed record ComprehensionExpr(
    long Id,
    int Position,
    string IterVar,
    string? IterVar2,
    Expr IterRange,
    string AccuVar,
    Expr AccuInit,
    Expr LoopCondition,
    Expr LoopStep,
    Expr Result) : Expr(Id, Position);

/// <summary>Well-known function names of CEL's operators.</summary>
public static class Operators
{
    public const string Conditional = "_?_:_";
    public const string LogicalAnd = "_&&_";
    public const string LogicalOr = "_||_";
    public const string LogicalNot = "!_";
    public const string Negate = "-_";
    public const string Equal = "_==_";
    public const string NotEquals = "_!=_";
    public const string Less = "_<_";
    public const string LessEquals = "_<=_";
    public const string Greater = "_>_";
    public const string GreaterEquals = "_>=_";
    public const string Add = "_+_";
    public const string Subtract = "_-_";
    public const string Multiply = "_*_";
    public const string Divide = "_/_";
    public const string Modulo = "_%_";
    public const string Index = "_[_]";
    public const string OptionalIndex = "_[?_]";
    public const string OptionalSelect = "_?._";
    public const string In = "@in";
    public const string NotStrictlyFalse = "@not_strictly_false";
}
