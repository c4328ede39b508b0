using System.Globalization;
using System.Text;

namespace Auditrail.Cel.Syntax;

public enum TokenKind
{
    End,
    Identifier,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    True,
    False,
    Null,
    In,
    Punct,
    Error,
}

/// <summary>One token; literals carry their decoded value, errors their message.</summary>
public readonly record struct Token(TokenKind Kind, int Position, int Length, string Text, object? Value = null);

/// <summary>
/// Splits CEL source into tokens: identifiers, reserved words, numbers (decimal, hex, unsigned,
/// floating), strings and bytes in every quoting (single, double, triple, raw) with all escapes.
/// </summary>
/// <param name="source">The expression text.</param>
/// <param name="hiddenIdentifiers">
/// Whether an identifier may start with <c>@</c>. Such names (<c>@index0</c>, <c>cel.@block</c>) are the
/// ones optimizers and macro expansions use for what users should not name; reading them back is for
/// tools and cel-spec's block tests, so the default is off.
/// </param>
public sealed class Lexer(string source, bool hiddenIdentifiers = false)
{
    /// <summary>Words CEL reserves; using one as an identifier is an error.</summary>
    private static readonly HashSet<string> Reserved =
    [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    ];

    private static readonly string[] Punctuation =
        ["==", "!=", "<=", ">=", "&&", "||", ".?", "[?", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "[", "]", "(", ")", "{", "}"];

    private int _pos;

    /// <summary>The value of an identifier token written in backticks; such names are only valid as fields.</summary>
    public static readonly object QuotedMarker = new();

    public static bool IsReserved(string word) => Reserved.Contains(word);

    public Token Next()
    {
        SkipWhitespaceAndComments();
        if (_pos >= source.Length)
        {
            return new Token(TokenKind.End, _pos, 0, string.Empty);
        }

        var start = _pos;
        var c = source[_pos];
        if (IsStringStart(out var raw, out var bytes, out var prefixLength))
        {
            return ReadString(start, raw, bytes, prefixLength);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < source.Length && char.IsAsciiDigit(source[_pos + 1])))
        {
            return ReadNumber(start);
        }

        if (c == '`')
        {
            // A quoted field name (`a.`content-type``): any characters but the backtick and newlines.
            var close = source.IndexOf('`', _pos + 1);
            if (close < 0 || source.AsSpan(_pos + 1, close - _pos - 1).ContainsAny('\n', '\r') || close == _pos + 1)
            {
                _pos++;
                return Error(start, "unterminated or empty quoted identifier");
            }

            _pos = close + 1;
            return new Token(TokenKind.Identifier, start, _pos - start, source.Substring(start + 1, close - start - 1), QuotedMarker);
        }

        var hidden = c == '@' && hiddenIdentifiers && _pos + 1 < source.Length && (char.IsAsciiLetter(source[_pos + 1]) || source[_pos + 1] == '_');
        if (char.IsAsciiLetter(c) || c == '_' || hidden)
        {
            if (hidden)
            {
                _pos++;
            }

            while (_pos < source.Length && (char.IsAsciiLetterOrDigit(source[_pos]) || source[_pos] == '_'))
            {
                _pos++;
            }

            var word = source[start.._pos];
            return word switch
            {
                "true" => new Token(TokenKind.True, start, word.Length, word),
                "false" => new Token(TokenKind.False, start, word.Length, word),
                "null" => new Token(TokenKind.Null, start, word.Length, word),
                "in" => new Token(TokenKind.In, start, word.Length, word),
                _ => new Token(TokenKind.Identifier, start, word.Length, word),
            };
        }

        foreach (var p in Punctuation)
        {
            if (string.CompareOrdinal(source, _pos, p, 0, p.Length) == 0)
            {
                _pos += p.Length;
                return new Token(TokenKind.Punct, start, p.Length, p);
            }
        }

        _pos++;
        return Error(start, $"unexpected character '{c}'");
    }

    private void SkipWhitespaceAndComments()
    {
        while (_pos < source.Length)
        {
            var c = source[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < source.Length && source[_pos + 1] == '/')
            {
                while (_pos < source.Length && source[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Recognizes the optional r/b prefixes (any order, any case) before a quote.</summary>
    private bool IsStringStart(out bool raw, out bool bytes, out int prefixLength)
    {
        raw = false;
        bytes = false;
        var i = _pos;
        while (i < source.Length && i - _pos < 2 && source[i] is 'r' or 'R' or 'b' or 'B')
        {
            if (source[i] is 'r' or 'R')
            {
                if (raw)
                {
                    break;
                }

                raw = true;
            }
            else
            {
                if (bytes)
                {
                    break;
                }

                bytes = true;
            }

            i++;
        }

        prefixLength = i - _pos;
        if (i < source.Length && source[i] is '"' or '\'')
        {
            return true;
        }

        raw = false;
        bytes = false;
        return false;
    }

    private Token ReadString(int start, bool raw, bool bytes, int prefixLength)
    {
        _pos += prefixLength;
        var quote = source[_pos];
        var triple = _pos + 2 < source.Length && source[_pos + 1] == quote && source[_pos + 2] == quote;
        var delimiter = triple ? new string(quote, 3) : quote.ToString();
        _pos += delimiter.Length;
        var text = new StringBuilder();
        var data = new List<byte>();
        while (true)
        {
            if (_pos >= source.Length)
            {
                return Error(start, "unterminated string literal");
            }

            if (string.CompareOrdinal(source, _pos, delimiter, 0, delimiter.Length) == 0)
            {
                _pos += delimiter.Length;
                break;
            }

            var c = source[_pos];
            if (!triple && c is '\n' or '\r')
            {
                return Error(start, "newline in a string literal (use a triple-quoted string)");
            }

            if (c == '\\' && !raw)
            {
                var escapeStart = _pos;
                var error = ReadEscape(text, data, bytes);
                if (error is not null)
                {
                    return Error(escapeStart, error);
                }

                continue;
            }

            // A raw string keeps backslashes; in a raw string an escaped quote still does not end it.
            if (c == '\\' && raw && _pos + 1 < source.Length && source[_pos + 1] == quote && !triple)
            {
                Append(text, data, bytes, source.Substring(_pos, 2));
                _pos += 2;
                continue;
            }

            var rune = Rune.GetRuneAt(source, _pos);
            Append(text, data, bytes, rune.ToString());
            _pos += rune.Utf16SequenceLength;
        }

        var length = _pos - start;
        return bytes
            ? new Token(TokenKind.Bytes, start, length, source.Substring(start, length), data.ToArray())
            : new Token(TokenKind.String, start, length, source.Substring(start, length), text.ToString());
    }

    private static void Append(StringBuilder text, List<byte> data, bool bytes, string value)
    {
        if (bytes)
        {
            data.AddRange(Encoding.UTF8.GetBytes(value));
        }
        else
        {
            text.Append(value);
        }
    }

    /// <summary>Decodes one escape at the backslash; returns an error message or null.</summary>
    private string? ReadEscape(StringBuilder text, List<byte> data, bool bytes)
    {
        if (_pos + 1 >= source.Length)
        {
            return "unterminated escape sequence";
        }

        var c = source[_pos + 1];
        _pos += 2;
        switch (c)
        {
            case 'a': Append(text, data, bytes, "\a"); return null;
            case 'b': Append(text, data, bytes, "\b"); return null;
            case 'f': Append(text, data, bytes, "\f"); return null;
            case 'n': Append(text, data, bytes, "\n"); return null;
            case 'r': Append(text, data, bytes, "\r"); return null;
            case 't': Append(text, data, bytes, "\t"); return null;
            case 'v': Append(text, data, bytes, "\v"); return null;
            case '\\' or '?' or '"' or '\'' or '`': Append(text, data, bytes, c.ToString()); return null;
            case 'x' or 'X':
                return ReadCodeUnit(text, data, bytes, 2, 16);
            case 'u':
                return bytes ? "\\u escapes are not allowed in bytes literals" : ReadCodeUnit(text, data, bytes, 4, 16);
            case 'U':
                return bytes ? "\\U escapes are not allowed in bytes literals" : ReadCodeUnit(text, data, bytes, 8, 16);
            case >= '0' and <= '3':
                _pos--;
                return ReadCodeUnit(text, data, bytes, 3, 8);
            default:
                return $"invalid escape sequence '\\{c}'";
        }
    }

    /// <summary>
    /// Hex and octal escapes: in bytes literals they are raw byte values; in strings they are code points
    /// (\x and octal up to 0xFF, \u and \U any scalar value, never a surrogate).
    /// </summary>
    private string? ReadCodeUnit(StringBuilder text, List<byte> data, bool bytes, int digits, int radix)
    {
        if (_pos + digits > source.Length)
        {
            return "truncated escape sequence";
        }

        var span = source.AsSpan(_pos, digits);
        long value = 0;
        foreach (var ch in span)
        {
            var digit = radix == 16 ? HexValue(ch) : ch is >= '0' and <= '7' ? ch - '0' : -1;
            if (digit < 0)
            {
                return $"invalid digit '{ch}' in escape sequence";
            }

            value = value * radix + digit;
        }

        _pos += digits;
        if (bytes)
        {
            if (value > 0xFF)
            {
                return "escape value out of range for a byte";
            }

            data.Add((byte)value);
            return null;
        }

        if (value is >= 0xD800 and <= 0xDFFF || value > 0x10FFFF)
        {
            return "escape sequence is not a valid Unicode scalar value";
        }

        text.Append(char.ConvertFromUtf32((int)value));
        return null;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private Token ReadNumber(int start)
    {
        if (source[_pos] == '0' && _pos + 1 < source.Length && source[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            var digitsStart = _pos;
            while (_pos < source.Length && HexValue(source[_pos]) >= 0)
            {
                _pos++;
            }

            var hex = source[digitsStart.._pos];
            return IntegerToken(start, hex, NumberStyles.AllowHexSpecifier);
        }

        var isDouble = false;
        while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
        {
            _pos++;
        }

        if (_pos + 1 < source.Length && source[_pos] == '.' && char.IsAsciiDigit(source[_pos + 1]))
        {
            isDouble = true;
            _pos++;
            while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                _pos++;
            }
        }
        else if (_pos < source.Length && source[_pos] == '.' && start == _pos)
        {
            _pos++;
        }

        if (_pos < source.Length && source[_pos] is 'e' or 'E')
        {
            var save = _pos;
            _pos++;
            if (_pos < source.Length && source[_pos] is '+' or '-')
            {
                _pos++;
            }

            if (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                isDouble = true;
                while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = save;
            }
        }

        var text = source[start.._pos];
        if (isDouble || text.StartsWith('.'))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? new Token(TokenKind.Double, start, text.Length, text, d)
                : Error(start, $"invalid floating-point literal '{text}'");
        }

        return IntegerToken(start, text, NumberStyles.None);
    }

    private Token IntegerToken(int start, string digits, NumberStyles style)
    {
        var unsigned = _pos < source.Length && source[_pos] is 'u' or 'U';
        if (unsigned)
        {
            _pos++;
        }

        var text = source[start.._pos];
        if (digits.Length == 0)
        {
            return Error(start, $"invalid integer literal '{text}'");
        }

        if (unsigned)
        {
            return ulong.TryParse(digits, style, CultureInfo.InvariantCulture, out var u)
                ? new Token(TokenKind.Uint, start, text.Length, text, u)
                : Error(start, $"unsigned integer literal '{text}' is out of range");
        }

        // Kept as ulong so the parser can fold a leading minus into -9223372036854775808.
        return ulong.TryParse(digits, style, CultureInfo.InvariantCulture, out var magnitude)
            ? new Token(TokenKind.Int, start, text.Length, text, magnitude)
            : Error(start, $"integer literal '{text}' is out of range");
    }

    private Token Error(int position, string message) => new(TokenKind.Error, position, 1, message);
}
