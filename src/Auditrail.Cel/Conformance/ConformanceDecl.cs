namespace Auditrail.Cel.Conformance;

/// <summary>
/// One <c>type_env</c> entry: <c>cel.expr.Decl</c> (checked.proto). Identifiers are typed;
/// function declarations stay as written, since no test in the suite needs more than their presence.
/// </summary>
public abstract record ConformanceDecl(string Name)
{
    /// <summary><c>ident</c>: a variable of a type, with an optional constant value (a raw <c>cel.expr.Constant</c>) and doc.</summary>
    public sealed record IdentDecl(string Name, ExpectedType Type, TextMessage? Value, string Doc) : ConformanceDecl(Name);

    /// <summary><c>function</c>: the raw <c>Decl.FunctionDecl</c> (overloads, doc).</summary>
    public sealed record FunctionDecl(string Name, TextMessage Declaration) : ConformanceDecl(Name);
}
