using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Auditrail.Cel.Conformance;

/// <summary>
/// Parses the protobuf text format (protobuf.dev/reference/protobuf/textformat-spec) into a
/// schema-free tree of <see cref="TextMessage"/>s. Field types are not known here, so the tree keeps
/// what the text says and the caller's schema reader converts it; positions survive for its errors.
/// </summary>
public sealed class TextProtoParser
{
    /// <summary>Nesting limit: deep enough for any real document (the C++ parser also stops at 100), shallow enough that hostile input cannot overflow the stack.</summary>
    public const int MaxDepth = 100;

    private readonly TextProtoLexer _lexer;
    private TextToken _current;

    private TextProtoParser(ReadOnlyMemory<byte> utf8, string? sourceName)
    {
        _lexer = new TextProtoLexer(utf8, sourceName);
        _current = _lexer.Next();
    }

    /// <summary>Parses a whole document (one message without braces).</summary>
    /// <exception cref="TextProtoException">The text is not valid text format.</exception>
    public static TextMessage Parse(ReadOnlyMemory<byte> utf8, string? sourceName = null) =>
        new TextProtoParser(utf8, sourceName).ParseDocument();

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte}, string?)"/>
    public static TextMessage Parse(string text, string? sourceName = null) =>
        Parse(Encoding.UTF8.GetBytes(text), sourceName);

    /// <summary>Like <see cref="Parse(ReadOnlyMemory{byte}, string?)"/>, returning the error instead of throwing it.</summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> utf8,
        string? sourceName,
        [NotNullWhen(true)] out TextMessage? message,
        [NotNullWhen(false)] out TextProtoException? error)
    {
        try
        {
            message = Parse(utf8, sourceName);
            error = null;
            return true;
        }
        catch (TextProtoException e)
        {
            message = null;
            error = e;
            return false;
        }
    }

    private TextMessage ParseDocument()
    {
        var fields = new List<TextField>();
        while (_current.Kind != TextTokenKind.End)
        {
            ParseField(fields, depth: 0);
        }

        return new TextMessage(fields, new TextPosition(1, 1));
    }

    /// <summary>
    /// <c>name: scalar</c>, <c>name [:] { ... }</c> or <c>&lt; ... &gt;</c>, or a list of either; a
    /// list becomes one field per element, which is what repeating the field would give.
    /// </summary>
    private void ParseField(List<TextField> fields, int depth)
    {
        var position = _current.Position;
        var (name, kind) = ParseFieldName();
        var hasColon = TryConsume(':');

        if (TryConsume('['))
        {
            if (!TryConsume(']'))
            {
                do
                {
                    fields.Add(new TextField(name, kind, ParseValue(name, kind, hasColon, depth), position));
                }
                while (TryConsume(','));

                Expect(']', "',' or ']' in a list");
            }
        }
        else
        {
            fields.Add(new TextField(name, kind, ParseValue(name, kind, hasColon, depth), position));
        }

        if (!TryConsume(';'))
        {
            TryConsume(',');
        }
    }

    private TextValue ParseValue(string name, TextFieldKind kind, bool hasColon, int depth)
    {
        if (_current.Is('{') || _current.Is('<'))
        {
            return ParseMessage(depth + 1);
        }

        if (kind == TextFieldKind.Any)
        {
            throw _lexer.Error(_current.Position, $"expected '{{' after [{name}]: an Any expansion holds a message");
        }

        if (!hasColon)
        {
            throw _lexer.Error(_current.Position, $"expected ':' or '{{' after field name '{name}', found {_current.Describe()}");
        }

        return ParseScalar();
    }

    private TextMessage ParseMessage(int depth)
    {
        var open = _current;
        if (depth > MaxDepth)
        {
            throw _lexer.Error(open.Position, $"messages nest deeper than {MaxDepth} levels");
        }

        var close = open.Symbol == '{' ? '}' : '>';
        Advance();
        var fields = new List<TextField>();
        while (!TryConsume(close))
        {
            if (_current.Kind == TextTokenKind.End)
            {
                throw _lexer.Error(_current.Position, $"expected '{close}' to close the message opened at {open.Position}");
            }

            ParseField(fields, depth);
        }

        return new TextMessage(fields, open.Position);
    }

    /// <summary>An identifier, <c>[pkg.extension]</c>, or <c>[domain/pkg.Type]</c> for an Any expansion.</summary>
    private (string Name, TextFieldKind Kind) ParseFieldName()
    {
        if (_current.Kind == TextTokenKind.Identifier)
        {
            var name = _current.Text;
            Advance();
            return (name, TextFieldKind.Regular);
        }

        if (!TryConsume('['))
        {
            throw _lexer.Error(_current.Position, $"expected a field name, found {_current.Describe()}");
        }

        var typeName = ParseDottedName();
        var kind = TextFieldKind.Extension;
        if (TryConsume('/'))
        {
            typeName = $"{typeName}/{ParseDottedName()}";
            kind = TextFieldKind.Any;
        }

        Expect(']', "']' to close the bracketed field name");
        return (typeName, kind);
    }

    private string ParseDottedName()
    {
        var name = new StringBuilder(ExpectIdentifier());
        while (TryConsume('.'))
        {
            name.Append('.').Append(ExpectIdentifier());
        }

        return name.ToString();
    }

    /// <summary>A number, identifier or string; a sign may precede numbers and identifiers (<c>-inf</c>), with whitespace between.</summary>
    private TextScalar ParseScalar()
    {
        var position = _current.Position;
        var negative = TryConsume('-');
        var token = _current;
        switch (token.Kind)
        {
            case TextTokenKind.Integer or TextTokenKind.Float or TextTokenKind.Identifier:
                Advance();
                var kind = token.Kind switch
                {
                    TextTokenKind.Integer => TextScalarKind.Integer,
                    TextTokenKind.Float => TextScalarKind.Float,
                    _ => TextScalarKind.Identifier,
                };
                return new TextScalar(kind, token.Text, [], negative, position);
            case TextTokenKind.String when !negative:
                return new TextScalar(TextScalarKind.String, "", ParseStringParts(), false, position);
            default:
                throw _lexer.Error(token.Position, $"expected a value, found {token.Describe()}");
        }
    }

    /// <summary>Adjacent literals form one value: <c>"a" 'b'</c> is <c>"ab"</c>.</summary>
    private byte[] ParseStringParts()
    {
        var first = _current.Bytes!;
        Advance();
        if (_current.Kind != TextTokenKind.String)
        {
            return first;
        }

        var joined = new List<byte>(first);
        while (_current.Kind == TextTokenKind.String)
        {
            joined.AddRange(_current.Bytes!);
            Advance();
        }

        return [.. joined];
    }

    private string ExpectIdentifier()
    {
        if (_current.Kind != TextTokenKind.Identifier)
        {
            throw _lexer.Error(_current.Position, $"expected an identifier, found {_current.Describe()}");
        }

        var text = _current.Text;
        Advance();
        return text;
    }

    private void Expect(char symbol, string what)
    {
        if (!TryConsume(symbol))
        {
            throw _lexer.Error(_current.Position, $"expected {what}, found {_current.Describe()}");
        }
    }

    private bool TryConsume(char symbol)
    {
        if (!_current.Is(symbol))
        {
            return false;
        }

        Advance();
        return true;
    }

    private void Advance() => _current = _lexer.Next();
}
