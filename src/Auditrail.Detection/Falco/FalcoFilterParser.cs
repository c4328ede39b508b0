using System.Text;

namespace Auditrail.Detection.Falco;

/// <summary>
/// Parses Falco conditions by the grammar libsinsp documents: <c>or</c> binds loosest, then
/// <c>and</c>, then <c>not</c>; a check is a field (optionally in transformers), an operator and a
/// value, a value list or another field; a bare identifier is a macro. Keywords and operators are
/// matched as libsinsp's lexer does: <c>and</c>/<c>or</c> need a blank or <c>(</c> after them, and
/// the word operators (<c>contains</c>, <c>startswith</c> …) a blank.
/// </summary>
public sealed class FalcoFilterParser
{
    private static readonly string[] NumberOperators = ["<=", "<", ">=", ">"];

    // Longer spellings first: "==" before "=", "intersects" before "in".
    private static readonly string[] StringOperators =
        ["==", "=", "!=", "glob ", "iglob ", "contains ", "icontains ", "bcontains ", "startswith ", "bstartswith ", "endswith ", "regex "];

    private static readonly string[] ListOperators = ["intersects", "in", "pmatch"];

    private const int MaxDepth = 1000;

    private readonly string _text;
    private int _pos;
    private int _depth;

    private FalcoFilterParser(string text) => _text = text;

    /// <summary>Parses a whole condition.</summary>
    /// <exception cref="FalcoSyntaxException">The text is not a condition; the offset says where.</exception>
    public static FalcoExpr Parse(string condition)
    {
        if (string.IsNullOrWhiteSpace(condition))
        {
            throw new FalcoSyntaxException("the condition is empty", 0);
        }

        var parser = new FalcoFilterParser(condition);
        var expr = parser.ParseOr();
        parser.SkipBlanks();
        if (parser._pos < condition.Length)
        {
            throw new FalcoSyntaxException($"unexpected '{parser.Excerpt()}', expecting 'and', 'or' or the end of the condition", parser._pos);
        }

        return expr;
    }

    /// <summary>Parses a field reference alone, as exception fields are written (<c>ka.user.name</c>, <c>tolower(ka.verb)</c>).</summary>
    /// <exception cref="FalcoSyntaxException">The text is not a field.</exception>
    public static FalcoFieldReference ParseField(string text)
    {
        var parser = new FalcoFilterParser(text.Trim());
        var field = parser.TryParseTransformedField() ?? parser.TryParseField()
            ?? throw new FalcoSyntaxException($"'{text}' is not a field", 0);
        if (parser._pos < parser._text.Length)
        {
            throw new FalcoSyntaxException($"unexpected '{parser.Excerpt()}' after the field", parser._pos);
        }

        return field;
    }

    private FalcoExpr ParseOr() => ParseChain("or", ParseAnd, (terms, start) => new FalcoOr(terms, start));

    private FalcoExpr ParseAnd() => ParseChain("and", ParseNot, (terms, start) => new FalcoAnd(terms, start));

    /// <summary>Operands joined by a keyword (<c>a or b or c</c>); a single operand stands alone.</summary>
    private FalcoExpr ParseChain(string keyword, Func<FalcoExpr> operand, Func<List<FalcoExpr>, int, FalcoExpr> join)
    {
        Enter();
        SkipBlanks();
        var start = _pos;
        var terms = new List<FalcoExpr> { operand() };
        SkipBlanks();
        while (TryKeyword(keyword))
        {
            terms.Add(operand());
            SkipBlanks();
        }

        _depth--;
        return terms.Count == 1 ? terms[0] : join(terms, start);
    }

    /// <summary>
    /// <c>and</c>/<c>or</c> followed by a blank or an opening parenthesis (which starts the next
    /// operand, so it is not consumed here).
    /// </summary>
    private bool TryKeyword(string keyword)
    {
        if (!At(keyword))
        {
            return false;
        }

        var after = _pos + keyword.Length;
        if (after < _text.Length && (IsBlank(_text[after]) || _text[after] == '('))
        {
            _pos = after;
            return true;
        }

        throw new FalcoSyntaxException($"expected a blank or '(' after '{keyword}'", after);
    }

    private FalcoExpr ParseNot()
    {
        Enter();
        SkipBlanks();
        var start = _pos;
        var negations = 0;
        while (true)
        {
            if (At("not") && _pos + 3 < _text.Length && IsBlank(_text[_pos + 3]))
            {
                _pos += 3;
                SkipBlanks();
                negations++;
            }
            else if (At("not("))
            {
                _pos += 3;
                negations++;
                break;
            }
            else
            {
                break;
            }
        }

        var operand = ParseCheck();
        _depth--;
        return negations % 2 == 1 ? new FalcoNot(operand, start) : operand;
    }

    private FalcoExpr ParseCheck()
    {
        Enter();
        SkipBlanks();
        var start = _pos;
        FalcoExpr result;
        if (TryConsume("("))
        {
            result = ParseParenthesized();
        }
        else if ((TryParseTransformedField() ?? TryParseField()) is { } field)
        {
            result = ParseCondition(field);
        }
        else if (Identifier() is { } name)
        {
            result = new FalcoMacroReference(name, start);
        }
        else
        {
            throw new FalcoSyntaxException(_pos >= _text.Length
                ? "the condition ends where a check, a macro or '(' was expected"
                : $"expected a field check, a macro name or '(' at '{Excerpt()}'", _pos);
        }

        _depth--;
        return result;
    }

    private FalcoExpr ParseParenthesized()
    {
        var inner = ParseOr();
        SkipBlanks();
        if (!TryConsume(")"))
        {
            throw new FalcoSyntaxException("expected ')'", _pos);
        }

        return inner;
    }

    private FalcoExpr ParseCondition(FalcoFieldReference field)
    {
        SkipBlanks();
        var start = field.Offset;
        if (TryConsume("exists"))
        {
            return new FalcoCheck(field, "exists", null, start);
        }

        if (TryConsumeAny(NumberOperators) is { } numeric)
        {
            return new FalcoCheck(field, numeric, (FalcoOperand?)TryParseFieldOperand() ?? ParseNumber(), start);
        }

        if (TryConsumeAny(StringOperators) is { } text)
        {
            var op = text.Trim();
            return new FalcoCheck(field, op == "==" ? "=" : op, (FalcoOperand?)TryParseFieldOperand() ?? ParseString(), start);
        }

        if (TryConsumeAny(ListOperators) is { } list)
        {
            return new FalcoCheck(field, list, (FalcoOperand?)TryParseFieldOperand() ?? ParseList(), start);
        }

        throw new FalcoSyntaxException($"expected an operator after '{field}' (exists, =, !=, <, <=, >, >=, contains, icontains, startswith, endswith, glob, iglob, regex, in, intersects, pmatch)", _pos);
    }

    /// <summary>A field on the right-hand side: <c>val(field)</c> or a transformed field.</summary>
    private FalcoFieldOperand? TryParseFieldOperand()
    {
        SkipBlanks();
        var start = _pos;
        if (TryConsume("val("))
        {
            SkipBlanks();
            var field = TryParseField() ?? throw new FalcoSyntaxException("expected a field inside val(…)", _pos);
            SkipBlanks();
            Expect(")");
            return new FalcoFieldOperand(field, start);
        }

        return TryParseTransformedField() is { } transformed ? new FalcoFieldOperand(transformed, start) : null;
    }

    /// <summary><c>tolower(field)</c> and the other transformers, nested any depth.</summary>
    private FalcoFieldReference? TryParseTransformedField()
    {
        var start = _pos;
        foreach (var transformer in FalcoOperators.Transformers)
        {
            if (!At(transformer + "("))
            {
                continue;
            }

            _pos += transformer.Length + 1;
            SkipBlanks();
            var inner = TryParseTransformedField() ?? TryParseField() ?? throw new FalcoSyntaxException($"expected a field inside {transformer}(…)", _pos);
            SkipBlanks();
            Expect(")");
            return inner with { Transformers = [transformer, .. inner.Transformers], Offset = start };
        }

        return null;
    }

    /// <summary><c>name.with.dots</c> and an optional <c>[argument]</c>; a name without a dot is an identifier, not a field.</summary>
    private FalcoFieldReference? TryParseField()
    {
        var start = _pos;
        var end = _pos;
        var segments = 0;
        while (true)
        {
            var segmentEnd = ScanWord(end);
            if (segmentEnd == end)
            {
                break;
            }

            segments++;
            end = segmentEnd;
            if (end + 1 < _text.Length && _text[end] == '.' && char.IsAsciiLetter(_text[end + 1]))
            {
                end++;
                continue;
            }

            break;
        }

        if (segments < 2)
        {
            return null;
        }

        var name = _text[start..end];
        _pos = end;
        string? argument = null;
        if (TryConsume("["))
        {
            argument = Quoted() ?? BareArgument() ?? throw new FalcoSyntaxException($"expected an argument inside {name}[…]", _pos);
            Expect("]");
        }

        return new FalcoFieldReference(name, argument, [], start);
    }

    /// <summary>An identifier: letters, then letters, digits and underscores.</summary>
    private string? Identifier()
    {
        var end = ScanWord(_pos);
        if (end == _pos)
        {
            return null;
        }

        var name = _text[_pos..end];
        _pos = end;
        return name;
    }

    private int ScanWord(int from)
    {
        if (from >= _text.Length || !char.IsAsciiLetter(_text[from]))
        {
            return from;
        }

        var end = from + 1;
        while (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '_'))
        {
            end++;
        }

        return end;
    }

    private FalcoValue ParseNumber()
    {
        SkipBlanks();
        var start = _pos;
        var end = _pos;
        if (end < _text.Length && (_text[end] == '+' || _text[end] == '-'))
        {
            end++;
        }

        while (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '.' || ((_text[end] == '+' || _text[end] == '-') && (_text[end - 1] is 'e' or 'E'))))
        {
            end++;
        }

        var text = _text[start..end];
        if (text.Length == 0 || !(IsDecimal(text) || IsHex(text)))
        {
            throw new FalcoSyntaxException("expected a number", start);
        }

        _pos = end;
        return new FalcoValue(text, false, start);
    }

    private static bool IsDecimal(string text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static bool IsHex(string text) =>
        text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'X' && text[2..].All(char.IsAsciiHexDigit);

    private FalcoValue ParseString()
    {
        SkipBlanks();
        var start = _pos;
        if (Quoted() is { } quoted)
        {
            return new FalcoValue(quoted, true, start);
        }

        if (BareString() is { } bare)
        {
            return new FalcoValue(bare, false, start);
        }

        throw new FalcoSyntaxException("expected a value", _pos);
    }

    private FalcoValueList ParseList()
    {
        SkipBlanks();
        var start = _pos;
        if (TryConsume("("))
        {
            var items = new List<FalcoValue>();
            SkipBlanks();
            if (!TryConsume(")"))
            {
                items.Add(ParseString());
                SkipBlanks();
                while (TryConsume(","))
                {
                    items.Add(ParseString());
                    SkipBlanks();
                }

                Expect(")");
            }

            return new FalcoValueList(items, start);
        }

        // A bare list name: the translator looks it up among the lists.
        if (Identifier() is { } name)
        {
            return new FalcoValueList([new FalcoValue(name, false, start)], start);
        }

        throw new FalcoSyntaxException("expected a list of values in parentheses or a list name", _pos);
    }

    /// <summary>A string in single or double quotes; a backslash escapes the quote and itself.</summary>
    private string? Quoted()
    {
        if (_pos >= _text.Length || _text[_pos] is not ('"' or '\''))
        {
            return null;
        }

        var quote = _text[_pos];
        var value = new StringBuilder();
        for (var i = _pos + 1; i < _text.Length; i++)
        {
            var c = _text[i];
            if (c == quote)
            {
                _pos = i + 1;
                return value.ToString();
            }

            if (c == '\\' && i + 1 < _text.Length)
            {
                i++;
                value.Append(_text[i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\b',
                    'f' => '\f',
                    var other => other,
                });
                continue;
            }

            value.Append(c);
        }

        throw new FalcoSyntaxException("a quoted string is not closed", _pos);
    }

    /// <summary>A value without quotes: anything up to a blank, a parenthesis, a comma, '=' or a quote.</summary>
    private string? BareString() => Scan(c => !IsBlank(c) && c is not ('(' or ')' or ',' or '=' or '"' or '\''));

    private string? BareArgument() => Scan(c => !IsBlank(c) && c is not ('[' or ']' or '"' or '\''));

    private string? Scan(Func<char, bool> allowed)
    {
        var end = _pos;
        while (end < _text.Length && allowed(_text[end]))
        {
            end++;
        }

        if (end == _pos)
        {
            return null;
        }

        var text = _text[_pos..end];
        _pos = end;
        return text;
    }

    private string? TryConsumeAny(string[] options)
    {
        foreach (var option in options)
        {
            if (TryConsume(option))
            {
                return option;
            }
        }

        return null;
    }

    private bool TryConsume(string text)
    {
        if (!At(text))
        {
            return false;
        }

        _pos += text.Length;
        return true;
    }

    private void Expect(string text)
    {
        if (!TryConsume(text))
        {
            throw new FalcoSyntaxException($"expected '{text}'", _pos);
        }
    }

    private bool At(string text) => string.CompareOrdinal(_text, _pos, text, 0, text.Length) == 0;

    private void SkipBlanks()
    {
        while (_pos < _text.Length && IsBlank(_text[_pos]))
        {
            _pos++;
        }
    }

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\b' or '\r' or '\n';

    private string Excerpt()
    {
        var rest = _text[_pos..];
        var line = rest.Split('\n')[0];
        return line.Length > 30 ? line[..30] + "…" : line;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new FalcoSyntaxException($"the condition nests deeper than {MaxDepth} levels", _pos);
        }
    }
}
