namespace Auditrail.Detection.Falco;

/// <summary>
/// A Falco filter condition as parsed (libsinsp's filter language): checks of fields against values,
/// joined by <c>and</c>, <c>or</c> and <c>not</c>, and references to macros. Offsets index the condition
/// text, so problems can be placed at a line and column of the rule file.
/// </summary>
public abstract record FalcoExpr(int Offset);

public sealed record FalcoAnd(IReadOnlyList<FalcoExpr> Terms, int Offset) : FalcoExpr(Offset);

public sealed record FalcoOr(IReadOnlyList<FalcoExpr> Terms, int Offset) : FalcoExpr(Offset);

public sealed record FalcoNot(FalcoExpr Operand, int Offset) : FalcoExpr(Offset);

/// <summary>A bare identifier: the name of a macro.</summary>
public sealed record FalcoMacroReference(string Name, int Offset) : FalcoExpr(Offset);

/// <summary><c>field op value</c>, or <c>field exists</c> (then <see cref="Value"/> is null).</summary>
public sealed record FalcoCheck(FalcoFieldReference Field, string Operator, FalcoOperand? Value, int Offset) : FalcoExpr(Offset);

/// <summary>
/// A field as written: <c>ka.req.pod.containers.image[0]</c>, <c>jevt.value[/stage]</c>, possibly
/// wrapped in transformers (<c>tolower(…)</c>), listed outermost first.
/// </summary>
public sealed record FalcoFieldReference(string Name, string? Argument, IReadOnlyList<string> Transformers, int Offset)
{
    public override string ToString()
    {
        var text = Argument is null ? Name : $"{Name}[{Argument}]";
        return Transformers.Reverse().Aggregate(text, (inner, transformer) => $"{transformer}({inner})");
    }
}

/// <summary>The right-hand side of a check.</summary>
public abstract record FalcoOperand(int Offset);

/// <summary>One value; <see cref="Quoted"/> values are never taken for list names.</summary>
public sealed record FalcoValue(string Text, bool Quoted, int Offset) : FalcoOperand(Offset);

/// <summary><c>(a, b, list_name)</c>, or a bare list name after a list operator.</summary>
public sealed record FalcoValueList(IReadOnlyList<FalcoValue> Items, int Offset) : FalcoOperand(Offset);

/// <summary>Another field on the right-hand side: <c>val(ka.user.name)</c> or a transformed field.</summary>
public sealed record FalcoFieldOperand(FalcoFieldReference Field, int Offset) : FalcoOperand(Offset);

/// <summary>A condition that does not parse, with the offset where parsing stopped.</summary>
public sealed class FalcoSyntaxException(string message, int offset) : Exception(message)
{
    public int Offset { get; } = offset;
}

/// <summary>The operators and transformers of Falco's filter language, by kind.</summary>
public static class FalcoOperators
{
    /// <summary>Operators whose right-hand side is a list of values.</summary>
    public static readonly IReadOnlySet<string> ListOperators = new HashSet<string>(StringComparer.Ordinal) { "in", "intersects", "pmatch" };

    public static readonly IReadOnlySet<string> Transformers = new HashSet<string>(StringComparer.Ordinal) { "tolower", "toupper", "b64", "basename", "len" };

    public static bool IsListOperator(string op) => ListOperators.Contains(op);
}
