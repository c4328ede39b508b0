using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Syntax;

/// <summary>A problem in an expression, with where it is.</summary>
public sealed record CelDiagnostic(int Position, int Line, int Column, string Message)
{
    public override string ToString() => $"{Line}:{Column}: {Message}";
}

/// <summary>Maps source offsets to line:column (both 1-based).</summary>
public sealed class SourceText(string text)
{
    private readonly int[] _lineStarts = [0, .. text.Select((c, i) => (c, i)).Where(p => p.c == '\n').Select(p => p.i + 1)];

    public string Text { get; } = text;

    public (int Line, int Column) Locate(int position)
    {
        var line = Array.BinarySearch(_lineStarts, position);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return (line + 1, position - _lineStarts[line] + 1);
    }

    public CelDiagnostic Diagnostic(int position, string message)
    {
        var (line, column) = Locate(Math.Clamp(position, 0, Text.Length));
        return new CelDiagnostic(position, line, column, message);
    }
}

/// <summary>Limits that keep hostile expressions from exhausting the parser.</summary>
public sealed record ParserOptions
{
    public static readonly ParserOptions Default = new();

    /// <summary>Deepest nesting of sub-expressions (parentheses, calls, operators).</summary>
    public int MaxDepth { get; init; } = 100;

    /// <summary>Longest expression accepted, in characters.</summary>
    public int MaxLength { get; init; } = 100_000;

    /// <summary>Whether macros (has, all, exists, exists_one, map, filter, optMap, optFlatMap, cel.bind) are expanded.</summary>
    public bool Macros { get; init; } = true;

    /// <summary>Whether identifiers may start with <c>@</c>, as optimizer output writes them (<c>cel.@block</c>, <c>@index0</c>).</summary>
    public bool HiddenIdentifiers { get; init; }
}

/// <summary>
/// Recursive-descent parser for CEL with macro expansion at parse time, as the spec prescribes. On the
/// first syntax error it stops with a positioned diagnostic; the lexer's errors come first.
/// </summary>
public sealed class Parser
{
    private readonly List<Token> _tokens = [];
    private readonly SourceText _source;
    private readonly ParserOptions _options;
    private int _index;
    private long _nextId = 1;
    private int _depth;

    private Parser(string text, ParserOptions options)
    {
        _source = new SourceText(text);
        _options = options;
    }

    public static ParseOutcome Parse(string text, ParserOptions? options = null)
    {
        options ??= ParserOptions.Default;
        var parser = new Parser(text, options);
        var source = parser._source;
        if (text.Length > options.MaxLength)
        {
            return new ParseOutcome(null, source, [source.Diagnostic(0, $"expression is {text.Length} characters long; the limit is {options.MaxLength}")]);
        }

        var lexer = new Lexer(text, options.HiddenIdentifiers);
        while (true)
        {
            var token = lexer.Next();
            if (token.Kind == TokenKind.Error)
            {
                return new ParseOutcome(null, source, [source.Diagnostic(token.Position, token.Text)]);
            }

            parser._tokens.Add(token);
            if (token.Kind == TokenKind.End)
            {
                break;
            }
        }

        try
        {
            var expr = parser.ParseExpr();
            if (parser.Current.Kind != TokenKind.End)
            {
                throw parser.Fail(parser.Current.Position, $"unexpected '{parser.Current.Text}'");
            }

            return new ParseOutcome(expr, source, []);
        }
        catch (SyntaxException ex)
        {
            return new ParseOutcome(null, source, [ex.Diagnostic]);
        }
    }

    private Token Current => _tokens[_index];

    private bool IsPunct(string text) => Current.Kind == TokenKind.Punct && Current.Text == text;

    private Token Advance() => _tokens[_index++];

    private void Expect(string punct)
    {
        if (!IsPunct(punct))
        {
            var found = Current.Kind == TokenKind.End ? "end of expression" : $"'{Current.Text}'";
            throw Fail(Current.Position, $"expected '{punct}', found {found}");
        }

        _index++;
    }

    private SyntaxException Fail(int position, string message) => new(_source.Diagnostic(position, message));

    private long NextId() => _nextId++;

    private Expr ParseExpr()
    {
        if (++_depth > _options.MaxDepth)
        {
            throw Fail(Current.Position, $"expression nests deeper than {_options.MaxDepth} levels");
        }

        try
        {
            var condition = ParseOr();
            if (!IsPunct("?"))
            {
                return condition;
            }

            var position = Advance().Position;
            var then = ParseOr();
            Expect(":");
            var otherwise = ParseExpr();
            return new CallExpr(NextId(), position, null, Operators.Conditional, [condition, then, otherwise]);
        }
        finally
        {
            _depth--;
        }
    }

    private Expr ParseOr() => ParseLeftAssociative(ParseAnd, ("||", Operators.LogicalOr));

    private Expr ParseAnd() => ParseLeftAssociative(ParseRelation, ("&&", Operators.LogicalAnd));

    private Expr ParseRelation()
    {
        var left = ParseAdditive();
        while (true)
        {
            string? op = Current.Kind == TokenKind.In ? Operators.In : Current.Kind == TokenKind.Punct ? Current.Text switch
            {
                "<" => Operators.Less,
                "<=" => Operators.LessEquals,
                ">" => Operators.Greater,
                ">=" => Operators.GreaterEquals,
                "==" => Operators.Equal,
                "!=" => Operators.NotEquals,
                _ => null,
            } : null;
            if (op is null)
            {
                return left;
            }

            var position = Advance().Position;
            var right = ParseAdditive();
            left = new CallExpr(NextId(), position, null, op, [left, right]);
        }
    }

    private Expr ParseAdditive() => ParseLeftAssociative(ParseMultiplicative, ("+", Operators.Add), ("-", Operators.Subtract));

    private Expr ParseMultiplicative() => ParseLeftAssociative(ParseUnary, ("*", Operators.Multiply), ("/", Operators.Divide), ("%", Operators.Modulo));

    private Expr ParseLeftAssociative(Func<Expr> operand, params (string Token, string Function)[] operators)
    {
        var left = operand();
        while (true)
        {
            var match = Current.Kind == TokenKind.Punct ? Array.Find(operators, o => o.Token == Current.Text) : default;
            if (match.Function is null)
            {
                return left;
            }

            var position = Advance().Position;
            var right = operand();
            left = new CallExpr(NextId(), position, null, match.Function, [left, right]);
        }
    }

    private Expr ParseUnary()
    {
        if (++_depth > _options.MaxDepth)
        {
            throw Fail(Current.Position, $"expression nests deeper than {_options.MaxDepth} levels");
        }

        try
        {
            if (IsPunct("!"))
            {
                var position = Advance().Position;
                return new CallExpr(NextId(), position, null, Operators.LogicalNot, [ParseUnary()]);
            }

            if (IsPunct("-"))
            {
                var position = Advance().Position;

                // A minus directly before a number is part of the literal, so the smallest int is writable.
                if (Current.Kind is TokenKind.Int or TokenKind.Double && !IsFollowedByMember())
                {
                    var literal = Advance();
                    return ParseMember(NegativeLiteral(position, literal));
                }

                return new CallExpr(NextId(), position, null, Operators.Negate, [ParseUnary()]);
            }

            return ParseMember(ParsePrimary());
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>-1.size() must negate the call's result, not call size on -1: only fold when nothing binds tighter.</summary>
    private bool IsFollowedByMember()
    {
        var next = _tokens[_index + 1];
        return next.Kind == TokenKind.Punct && next.Text is "." or "[" or ".?" or "[?";
    }

    private ConstExpr NegativeLiteral(int position, Token literal)
    {
        if (literal.Kind == TokenKind.Double)
        {
            return new ConstExpr(NextId(), position, CelValue.Double(-(double)literal.Value!));
        }

        var magnitude = (ulong)literal.Value!;
        if (magnitude > 9223372036854775808UL)
        {
            throw Fail(position, $"integer literal '-{literal.Text}' is out of range");
        }

        return new ConstExpr(NextId(), position, CelValue.Int(unchecked(-(long)magnitude)));
    }

    private Expr ParseMember(Expr operand)
    {
        while (true)
        {
            if (IsPunct(".") || IsPunct(".?"))
            {
                var optional = Current.Text == ".?";
                var position = Advance().Position;
                if (Current.Kind is not (TokenKind.Identifier or TokenKind.In or TokenKind.True or TokenKind.False or TokenKind.Null))
                {
                    throw Fail(Current.Position, "expected a field or method name after '.'");
                }

                var name = Advance().Text;
                if (!optional && IsPunct("("))
                {
                    Advance();
                    var args = ParseArguments(")");
                    operand = ExpandOrCall(position, operand, name, args);
                    continue;
                }

                operand = optional
                    ? new CallExpr(NextId(), position, null, Operators.OptionalSelect, [operand, new ConstExpr(NextId(), position, CelValue.String(name))])
                    : new SelectExpr(NextId(), position, operand, name);
                continue;
            }

            if (IsPunct("[") || IsPunct("[?"))
            {
                var optional = Current.Text == "[?";
                var position = Advance().Position;
                var index = ParseExpr();
                Expect("]");
                operand = new CallExpr(NextId(), position, null, optional ? Operators.OptionalIndex : Operators.Index, [operand, index]);
                continue;
            }

            if (IsPunct("{") && QualifiedName(operand) is { } messageName)
            {
                var position = Advance().Position;
                operand = ParseStruct(position, messageName);
                continue;
            }

            return operand;
        }
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Int:
                Advance();
                var magnitude = (ulong)token.Value!;
                if (magnitude > long.MaxValue)
                {
                    throw Fail(token.Position, $"integer literal '{token.Text}' is out of range");
                }

                return new ConstExpr(NextId(), token.Position, CelValue.Int((long)magnitude));
            case TokenKind.Uint:
                Advance();
                return new ConstExpr(NextId(), token.Position, CelValue.Uint((ulong)token.Value!));
            case TokenKind.Double:
                Advance();
                return new ConstExpr(NextId(), token.Position, CelValue.Double((double)token.Value!));
            case TokenKind.String:
                Advance();
                return new ConstExpr(NextId(), token.Position, CelValue.String((string)token.Value!));
            case TokenKind.Bytes:
                Advance();
                return new ConstExpr(NextId(), token.Position, CelValue.Bytes((byte[])token.Value!));
            case TokenKind.True or TokenKind.False:
                Advance();
                return new ConstExpr(NextId(), token.Position, CelValue.Bool(token.Kind == TokenKind.True));
            case TokenKind.Null:
                Advance();
                return new ConstExpr(NextId(), token.Position, CelValue.Null);
            case TokenKind.Identifier when token.Value == Lexer.QuotedMarker:
                throw Fail(token.Position, "a quoted identifier is only allowed as a field name after '.'");
            case TokenKind.Identifier:
                return ParseIdentifierOrCall(leadingDot: false);
            case TokenKind.Punct when token.Text == ".":
                Advance();
                if (Current.Kind != TokenKind.Identifier)
                {
                    throw Fail(Current.Position, "expected an identifier after a leading '.'");
                }

                return ParseIdentifierOrCall(leadingDot: true);
            case TokenKind.Punct when token.Text == "(":
                Advance();
                var inner = ParseExpr();
                Expect(")");
                return inner;
            case TokenKind.Punct when token.Text == "[":
                Advance();
                return ParseList(token.Position, firstOptional: false);
            case TokenKind.Punct when token.Text == "[?":
                // "[?" lexes as one token; at the start of a list it opens the list with an optional element.
                Advance();
                return ParseList(token.Position, firstOptional: true);
            case TokenKind.Punct when token.Text == "{":
                Advance();
                return ParseMap(token.Position);
            case TokenKind.End:
                throw Fail(token.Position, "unexpected end of expression");
            default:
                throw Fail(token.Position, $"unexpected '{token.Text}'");
        }
    }

    private Expr ParseIdentifierOrCall(bool leadingDot)
    {
        var token = Advance();
        if (Lexer.IsReserved(token.Text))
        {
            throw Fail(token.Position, $"'{token.Text}' is a reserved word and cannot be used as an identifier");
        }

        var name = leadingDot ? "." + token.Text : token.Text;
        if (IsPunct("("))
        {
            Advance();
            var args = ParseArguments(")");
            return ExpandOrCall(token.Position, null, name, args);
        }

        return new IdentExpr(NextId(), token.Position, name);
    }

    private List<Expr> ParseArguments(string close)
    {
        var args = new List<Expr>();
        if (IsPunct(close))
        {
            Advance();
            return args;
        }

        while (true)
        {
            args.Add(ParseExpr());
            if (IsPunct(","))
            {
                Advance();
                if (IsPunct(close))
                {
                    Advance();
                    return args;
                }

                continue;
            }

            Expect(close);
            return args;
        }
    }

    private ListExpr ParseList(int position, bool firstOptional)
    {
        var elements = new List<Expr>();
        var optional = new List<int>();
        if (firstOptional)
        {
            optional.Add(0);
            elements.Add(ParseExpr());
            if (IsPunct(","))
            {
                Advance();
            }
        }

        while (!IsPunct("]"))
        {
            if (IsPunct("?"))
            {
                Advance();
                optional.Add(elements.Count);
            }

            elements.Add(ParseExpr());
            if (!IsPunct(","))
            {
                break;
            }

            Advance();
        }

        Expect("]");
        return new ListExpr(NextId(), position, elements, optional);
    }

    private MapExpr ParseMap(int position)
    {
        var entries = new List<MapEntry>();
        while (!IsPunct("}"))
        {
            var optional = false;
            if (IsPunct("?"))
            {
                Advance();
                optional = true;
            }

            var key = ParseExpr();
            Expect(":");
            var value = ParseExpr();
            entries.Add(new MapEntry(key, value, optional));
            if (!IsPunct(","))
            {
                break;
            }

            Advance();
        }

        Expect("}");
        return new MapExpr(NextId(), position, entries);
    }

    private StructExpr ParseStruct(int position, string messageName)
    {
        var fields = new List<FieldInit>();
        while (!IsPunct("}"))
        {
            var optional = false;
            if (IsPunct("?"))
            {
                Advance();
                optional = true;
            }

            if (Current.Kind != TokenKind.Identifier)
            {
                throw Fail(Current.Position, "expected a field name in message construction");
            }

            var field = Advance().Text;
            Expect(":");
            fields.Add(new FieldInit(field, ParseExpr(), optional));
            if (!IsPunct(","))
            {
                break;
            }

            Advance();
        }

        Expect("}");
        return new StructExpr(NextId(), position, messageName, fields);
    }

    /// <summary><c>a.b.c</c> as a name, for message construction; null when the operand is not a plain qualified name.</summary>
    private static string? QualifiedName(Expr operand) => operand switch
    {
        IdentExpr ident => ident.Name,
        SelectExpr { TestOnly: false, Optional: false } select when QualifiedName(select.Operand) is { } prefix => $"{prefix}.{select.Field}",
        _ => null,
    };

    private Expr ExpandOrCall(int position, Expr? target, string function, List<Expr> args)
    {
        if (_options.Macros && Macros.TryExpand(this, position, target, function, args, out var expanded))
        {
            return expanded;
        }

        return new CallExpr(NextId(), position, target, function, args);
    }

    /// <summary>Hooks the macro expander uses to build nodes with fresh ids and to report misuse.</summary>
    internal long FreshId() => NextId();

    internal Exception MacroError(int position, string message) => Fail(position, message);

    private sealed class SyntaxException(CelDiagnostic diagnostic) : Exception(diagnostic.Message)
    {
        public CelDiagnostic Diagnostic { get; } = diagnostic;
    }
}

/// <summary>The parse tree, or the diagnostics that prevented one.</summary>
public sealed record ParseOutcome(Expr? Expr, SourceText Source, IReadOnlyList<CelDiagnostic> Diagnostics);
