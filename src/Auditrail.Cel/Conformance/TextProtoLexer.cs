using System.Buffers;
using System.Text;

namespace Auditrail.Cel.Conformance;

/// <summary>
/// Splits UTF-8 text-format input into tokens. It works on bytes because string literals are bytes:
/// decoding the file to UTF-16 first would turn an invalid byte in a <c>bytes</c> literal into U+FFFD.
/// </summary>
internal sealed class TextProtoLexer
{
    private const string Symbols = "{}<>[]:,;-/.";

    private readonly ReadOnlyMemory<byte> _input;
    private readonly string? _sourceName;
    private int _offset;
    private int _line = 1;
    private int _lineStart;

    public TextProtoLexer(ReadOnlyMemory<byte> input, string? sourceName)
    {
        _input = input;
        _sourceName = sourceName;
        if (input.Span.StartsWith("\uFEFF"u8))
        {
            _offset = _lineStart = 3;
        }
    }

    public TextToken Next()
    {
        SkipWhitespaceAndComments();
        var span = _input.Span;
        var position = PositionAt(_offset);
        if (_offset >= span.Length)
        {
            return new TextToken(TextTokenKind.End, position);
        }

        var c = span[_offset];
        if (IsLetter(c))
        {
            var start = _offset;
            SkipIdentifierChars();
            return new TextToken(TextTokenKind.Identifier, position, Encoding.ASCII.GetString(span[start.._offset]));
        }

        if (char.IsAsciiDigit((char)c) || (c == '.' && _offset + 1 < span.Length && char.IsAsciiDigit((char)span[_offset + 1])))
        {
            return ReadNumber(position);
        }

        if (c is (byte)'"' or (byte)'\'')
        {
            return ReadString(position);
        }

        if (c < 0x80 && Symbols.Contains((char)c, StringComparison.Ordinal))
        {
            _offset++;
            return new TextToken(TextTokenKind.Symbol, position, Symbol: (char)c);
        }

        // Name what is there in a form that survives a terminal: invisible and broken input by number.
        var status = Rune.DecodeFromUtf8(span[_offset..], out var rune, out _);
        var shown = status != OperationStatus.Done ? $"byte 0x{c:X2} (not UTF-8)"
            : Rune.IsControl(rune) ? $"U+{rune.Value:X4}"
            : $"'{rune}'";
        throw Error(position, $"unexpected character {shown}");
    }

    /// <summary>An error at a place in this input; callers throw it, so it works in expressions too.</summary>
    public TextProtoException Error(TextPosition position, string reason) => new(reason, position, _sourceName);

    private static bool IsLetter(byte c) => char.IsAsciiLetter((char)c) || c == '_';

    private static bool IsIdentifierChar(byte c) => IsLetter(c) || char.IsAsciiDigit((char)c);

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Columns count characters, so a position under a non-ASCII literal still lines up in an editor.</summary>
    private TextPosition PositionAt(int offset)
    {
        var column = 1;
        foreach (var b in _input.Span[_lineStart..offset])
        {
            // UTF-8 continuation bytes (10xxxxxx) belong to the character before them.
            if ((b & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return new TextPosition(_line, column);
    }

    private void SkipWhitespaceAndComments()
    {
        var span = _input.Span;
        while (_offset < span.Length)
        {
            switch (span[_offset])
            {
                case (byte)'\n':
                    _offset++;
                    _line++;
                    _lineStart = _offset;
                    break;
                case (byte)' ' or (byte)'\t' or (byte)'\v' or (byte)'\f' or (byte)'\r':
                    _offset++;
                    break;
                case (byte)'#':
                    var end = span[_offset..].IndexOf((byte)'\n');
                    _offset = end < 0 ? span.Length : _offset + end;
                    break;
                default:
                    return;
            }
        }
    }

    private void SkipIdentifierChars()
    {
        var span = _input.Span;
        while (_offset < span.Length && IsIdentifierChar(span[_offset]))
        {
            _offset++;
        }
    }

    private void SkipDigits(Func<byte, bool> isDigit)
    {
        var span = _input.Span;
        while (_offset < span.Length && isDigit(span[_offset]))
        {
            _offset++;
        }
    }

    private bool At(int offset, Func<byte, bool> predicate) => offset < _input.Length && predicate(_input.Span[offset]);

    private bool AtAny(int offset, string chars) => At(offset, b => chars.Contains((char)b, StringComparison.Ordinal));

    /// <summary>
    /// DEC_INT, OCT_INT, HEX_INT or FLOAT (spec "Numeric Literals"). A number glued to a letter, digit
    /// or dot (<c>10bar</c>, <c>1e</c>, <c>08</c>) is one malformed token, not two.
    /// </summary>
    private TextToken ReadNumber(TextPosition position)
    {
        var span = _input.Span;
        var start = _offset;
        var kind = TextTokenKind.Integer;
        static bool IsDecimal(byte b) => char.IsAsciiDigit((char)b);

        if (span[_offset] == '0' && AtAny(_offset + 1, "xX"))
        {
            _offset += 2;
            SkipDigits(b => char.IsAsciiHexDigit((char)b));
        }
        else if (span[_offset] == '0' && At(_offset + 1, IsDecimal))
        {
            _offset++;
            SkipDigits(b => b is >= (byte)'0' and <= (byte)'7');
        }
        else
        {
            SkipDigits(IsDecimal);
            if (At(_offset, b => b == '.'))
            {
                kind = TextTokenKind.Float;
                _offset++;
                SkipDigits(IsDecimal);
            }

            var exponentDigits = AtAny(_offset + 1, "+-") ? _offset + 2 : _offset + 1;
            if (AtAny(_offset, "eE") && At(exponentDigits, IsDecimal))
            {
                kind = TextTokenKind.Float;
                _offset = exponentDigits;
                SkipDigits(IsDecimal);
            }

            if (AtAny(_offset, "fF"))
            {
                kind = TextTokenKind.Float;
                _offset++;
            }
        }

        var text = Encoding.ASCII.GetString(span[start.._offset]);
        if (At(_offset, b => IsIdentifierChar(b) || b == '.') || text is "0x" or "0X")
        {
            SkipIdentifierChars();
            throw Error(position, $"malformed number '{Encoding.UTF8.GetString(span[start.._offset])}'");
        }

        return new TextToken(kind, position, text);
    }

    /// <summary>One quoted literal. Adjacent literals are joined by the parser, as the spec's String rule says.</summary>
    private TextToken ReadString(TextPosition position)
    {
        var span = _input.Span;
        var quote = span[_offset];
        var start = ++_offset;
        while (true)
        {
            if (_offset >= span.Length || span[_offset] == '\n')
            {
                throw Error(position, "unterminated string (a literal cannot span lines; join quoted parts instead)");
            }

            if (span[_offset] == quote)
            {
                break;
            }

            // Skip the escaped character so an escaped quote does not end the literal; a backslash
            // before a newline leaves the newline to the check above.
            _offset += span[_offset] == '\\' && At(_offset + 1, b => b != '\n') ? 2 : 1;
        }

        var bytes = Unescape(start, _offset);
        _offset++;
        return new TextToken(TextTokenKind.String, position, Bytes: bytes);
    }

    /// <summary>
    /// Decodes the C-style escapes of the spec's <c>escape</c> rule. No escape is shorter than the
    /// bytes it produces, so the content length bounds the output.
    /// </summary>
    private byte[] Unescape(int start, int end)
    {
        var span = _input.Span;
        var output = new byte[end - start];
        var written = 0;
        var i = start;
        while (i < end)
        {
            if (span[i] != '\\')
            {
                output[written++] = span[i++];
                continue;
            }

            var escapeStart = i;
            var e = span[i + 1];
            i += 2;
            switch (e)
            {
                case (byte)'a': output[written++] = 0x07; break;
                case (byte)'b': output[written++] = 0x08; break;
                case (byte)'f': output[written++] = 0x0C; break;
                case (byte)'n': output[written++] = 0x0A; break;
                case (byte)'r': output[written++] = 0x0D; break;
                case (byte)'t': output[written++] = 0x09; break;
                case (byte)'v': output[written++] = 0x0B; break;
                case (byte)'?' or (byte)'\\' or (byte)'\'' or (byte)'"': output[written++] = e; break;
                case >= (byte)'0' and <= (byte)'7':
                    output[written++] = ReadOctalEscape(ref i, end, e, escapeStart);
                    break;
                case (byte)'x':
                    output[written++] = (byte)ReadHexDigits(ref i, end, 1, 2, escapeStart);
                    break;
                case (byte)'u' or (byte)'U':
                    var rune = ReadUnicodeEscape(ref i, end, e == 'U', escapeStart);
                    written += rune.EncodeToUtf8(output.AsSpan(written));
                    break;
                default:
                    Rune.DecodeFromUtf8(span[(escapeStart + 1)..], out var bad, out _);
                    throw Error(PositionAt(escapeStart), $"unknown escape '\\{bad}'");
            }
        }

        return output.AsSpan(0, written).ToArray();
    }

    /// <summary>Up to three octal digits, the first already read; more digits after three are plain text.</summary>
    private byte ReadOctalEscape(ref int i, int end, byte first, int escapeStart)
    {
        var value = first - '0';
        for (var digits = 1; digits < 3 && i < end && _input.Span[i] is >= (byte)'0' and <= (byte)'7'; digits++)
        {
            value = (value * 8) + (_input.Span[i++] - '0');
        }

        return value <= 0xFF ? (byte)value : throw Error(PositionAt(escapeStart), "octal escape is above \\377");
    }

    private long ReadHexDigits(ref int i, int end, int min, int max, int escapeStart)
    {
        // long: eight hex digits of \U can exceed int before the range check rejects them.
        var value = 0L;
        var count = 0;
        while (count < max && i < end && HexValue(_input.Span[i]) is var digit and >= 0)
        {
            value = (value * 16) + digit;
            i++;
            count++;
        }

        return count >= min ? value : throw Error(PositionAt(escapeStart), $"escape needs {(min == max ? $"{min}" : $"{min} to {max}")} hex digits");
    }

    /// <summary>
    /// <c>\uXXXX</c> or <c>\UXXXXXXXX</c>, encoded as UTF-8. A high surrogate is accepted only when a
    /// <c>\u</c> low surrogate follows at once (as the C++ parser does); a lone surrogate is not a character.
    /// </summary>
    private Rune ReadUnicodeEscape(ref int i, int end, bool wide, int escapeStart)
    {
        var digits = wide ? 8 : 4;
        var value = ReadHexDigits(ref i, end, digits, digits, escapeStart);
        if (!wide && char.IsHighSurrogate((char)value) && i + 1 < end && _input.Span[i] == '\\' && _input.Span[i + 1] == 'u')
        {
            var next = i + 2;
            var low = ReadHexDigits(ref next, end, 4, 4, i);
            if (char.IsLowSurrogate((char)low))
            {
                i = next;
                return new Rune((char)value, (char)low);
            }
        }

        return value <= 0x10FFFF && Rune.IsValid((int)value) ? new Rune((int)value) : throw Error(PositionAt(escapeStart), $"escape is not a Unicode scalar value (U+{value:X4})");
    }
}
