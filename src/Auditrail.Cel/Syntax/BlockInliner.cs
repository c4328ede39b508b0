namespace Auditrail.Cel.Syntax;

/// <summary>
/// Expands <c>cel.block([e0, e1, …], body)</c>, where <c>@indexN</c> (written <c>cel.index(N)</c>) names
/// entry N, by putting a copy of each entry where it is named. CEL expressions are pure, so the copy
/// computes what a shared slot would, only not once; and it is lazy for free: an entry is evaluated
/// only where it is used, inside whatever comprehension binds the <c>@it</c>/<c>@ac</c> variables it
/// mentions, and an unused entry that would fail never runs.
/// </summary>
/// <remarks>
/// Optimizers emit cel.block to share common subexpressions; we accept it so their output runs, and
/// bound the expansion so a block with many chained references cannot grow without limit.
/// </remarks>
internal sealed class BlockInliner
{
    /// <summary>Most nodes the copies may add; a chain of entries that each use the previous twice doubles per entry.</summary>
    private const int MaxCopiedNodes = 100_000;

    private readonly Parser _parser;
    private readonly int _position;
    private readonly List<Expr> _entries = [];
    private int _copied;

    private BlockInliner(Parser parser, int position)
    {
        _parser = parser;
        _position = position;
    }

    public static string IndexName(long index) => $"@index{index}";

    public static Expr Expand(Parser parser, int position, Expr slots, Expr body)
    {
        if (slots is not ListExpr { OptionalIndices.Count: 0 } list)
        {
            throw parser.MacroError(position, "cel.block requires a list literal of expressions as its first argument");
        }

        var inliner = new BlockInliner(parser, position);
        foreach (var entry in list.Elements)
        {
            // An entry may name only the entries before it; later ones are not yet in the table.
            inliner._entries.Add(inliner.Inline(entry));
        }

        return inliner.Inline(body);
    }

    private Expr Inline(Expr expr)
    {
        if (++_copied > MaxCopiedNodes)
        {
            throw _parser.MacroError(_position, $"cel.block expands to more than {MaxCopiedNodes} nodes");
        }

        return expr switch
        {
            IdentExpr { Name: var name } when SlotOf(name) is { } slot => Inline(_entries[slot]),
            IdentExpr or ConstExpr => expr with { Id = _parser.FreshId() },
            SelectExpr select => select with { Id = _parser.FreshId(), Operand = Inline(select.Operand) },
            CallExpr call => call with
            {
                Id = _parser.FreshId(),
                Target = call.Target is null ? null : Inline(call.Target),
                Args = call.Args.Select(Inline).ToArray(),
            },
            ListExpr list => list with { Id = _parser.FreshId(), Elements = list.Elements.Select(Inline).ToArray() },
            MapExpr map => map with
            {
                Id = _parser.FreshId(),
                Entries = map.Entries.Select(e => e with { Key = Inline(e.Key), Value = Inline(e.Value) }).ToArray(),
            },
            StructExpr message => message with
            {
                Id = _parser.FreshId(),
                Fields = message.Fields.Select(f => f with { Value = Inline(f.Value) }).ToArray(),
            },
            ComprehensionExpr loop => loop with
            {
                Id = _parser.FreshId(),
                IterRange = Inline(loop.IterRange),
                AccuInit = Inline(loop.AccuInit),
                LoopCondition = Inline(loop.LoopCondition),
                LoopStep = Inline(loop.LoopStep),
                Result = Inline(loop.Result),
            },
            _ => expr,
        };
    }

    /// <summary>The entry a name refers to; naming an entry not yet defined (itself or a later one) is an error.</summary>
    private int? SlotOf(string name)
    {
        if (!name.StartsWith("@index", StringComparison.Ordinal) || !int.TryParse(name.AsSpan(6), out var slot) || slot < 0)
        {
            return null;
        }

        return slot < _entries.Count
            ? slot
            : throw _parser.MacroError(_position, $"cel.index({slot}) refers to an entry that is not defined before it");
    }
}
