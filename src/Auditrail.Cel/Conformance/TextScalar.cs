using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Auditrail.Cel.Conformance;

/// <summary>The lexical kind of a scalar; the schema decides which kinds a field accepts.</summary>
public enum TextScalarKind
{
    /// <summary>One or more adjacent quoted literals, already unescaped and joined into bytes.</summary>
    String,

    /// <summary><c>true</c>, <c>NULL_VALUE</c>, <c>inf</c>, ...</summary>
    Identifier,

    /// <summary>A decimal, octal (<c>017</c>) or hexadecimal (<c>0x1F</c>) integer.</summary>
    Integer,

    /// <summary><c>1.5</c>, <c>.5</c>, <c>1e10</c>, <c>1.0f</c>, <c>10f</c>.</summary>
    Float,
}

/// <summary>
/// A scalar as written. Strings are bytes, as in protobuf: a <c>bytes</c> field may hold any byte
/// sequence, and only a <c>string</c> field requires UTF-8, so decoding waits for
/// <see cref="TryGetString"/>. Numbers keep their spelling so one token can be read as int64, uint64 or
/// double with the text format's own rules for each.
/// </summary>
public sealed class TextScalar : TextValue
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _bytes;

    internal TextScalar(TextScalarKind kind, string text, byte[] bytes, bool isNegative, TextPosition position)
        : base(position)
    {
        Kind = kind;
        Text = text;
        _bytes = bytes;
        IsNegative = isNegative;
    }

    public TextScalarKind Kind { get; }

    /// <summary>The spelling of a number or identifier without its sign; empty for strings.</summary>
    public string Text { get; }

    /// <summary>A <c>-</c> came before the number or identifier (<c>-1</c>, <c>-inf</c>).</summary>
    public bool IsNegative { get; }

    /// <summary>The unescaped bytes of a string (a copy); empty for other kinds.</summary>
    public byte[] GetBytes() => (byte[])_bytes.Clone();

    /// <summary>The string bytes without copying.</summary>
    public ReadOnlySpan<byte> BytesSpan => _bytes;

    /// <summary>Any integer form in the int64 range, as an int64/sint64/sfixed64 field reads it.</summary>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        if (!TryGetMagnitude(out var magnitude))
        {
            return false;
        }

        const ulong minMagnitude = 1UL << 63;
        if (IsNegative)
        {
            if (magnitude > minMagnitude)
            {
                return false;
            }

            value = magnitude == minMagnitude ? long.MinValue : -(long)magnitude;
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }

    /// <summary>Any integer form in the int32 range (int32 and enum numbers).</summary>
    public bool TryGetInt32(out int value)
    {
        var ok = TryGetInt64(out var wide) && wide is >= int.MinValue and <= int.MaxValue;
        value = ok ? (int)wide : 0;
        return ok;
    }

    /// <summary>An unsigned integer form; a sign, even <c>-0</c>, is not allowed for uint64.</summary>
    public bool TryGetUInt64(out ulong value)
    {
        value = 0;
        return !IsNegative && TryGetMagnitude(out value);
    }

    /// <summary>
    /// A float, a decimal integer, or <c>inf</c>/<c>infinity</c>/<c>nan</c> in any case, as a
    /// double field reads it. Octal and hex integers are not doubles; overflow gives infinity.
    /// </summary>
    public bool TryGetDouble(out double value)
    {
        value = 0;
        bool ok;
        switch (Kind)
        {
            case TextScalarKind.Float:
                var digits = Text.AsSpan().TrimEnd("fF");
                ok = double.TryParse(digits, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
                break;
            case TextScalarKind.Integer when IsDecimalInteger():
                ok = double.TryParse(Text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
                break;
            case TextScalarKind.Identifier when Text.Equals("inf", StringComparison.OrdinalIgnoreCase)
                                                || Text.Equals("infinity", StringComparison.OrdinalIgnoreCase):
                value = double.PositiveInfinity;
                ok = true;
                break;
            case TextScalarKind.Identifier when Text.Equals("nan", StringComparison.OrdinalIgnoreCase):
                value = double.NaN;
                ok = true;
                break;
            default:
                ok = false;
                break;
        }

        if (ok && IsNegative)
        {
            value = -value;
        }

        return ok;
    }

    /// <summary><c>true</c>/<c>True</c>/<c>t</c>/<c>1</c> or <c>false</c>/<c>False</c>/<c>f</c>/<c>0</c> (any unsigned spelling of 0 and 1).</summary>
    public bool TryGetBool(out bool value)
    {
        value = false;
        if (IsNegative)
        {
            return false;
        }

        switch (Kind)
        {
            case TextScalarKind.Identifier when Text is "true" or "True" or "t":
                value = true;
                return true;
            case TextScalarKind.Identifier when Text is "false" or "False" or "f":
                return true;
            case TextScalarKind.Integer when TryGetMagnitude(out var number) && number <= 1:
                value = number == 1;
                return true;
            default:
                return false;
        }
    }

    /// <summary>A string whose bytes are valid UTF-8, as a <c>string</c> field requires.</summary>
    public bool TryGetString([NotNullWhen(true)] out string? value)
    {
        value = null;
        if (Kind != TextScalarKind.String)
        {
            return false;
        }

        try
        {
            value = StrictUtf8.GetString(_bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The scalar in text-format spelling (strings re-escaped), for messages.</summary>
    public override string ToString() => Kind == TextScalarKind.String
        ? TextFormatting.QuoteBytes(_bytes)
        : (IsNegative ? "-" : "") + Text;

    private bool IsDecimalInteger() => Text == "0" || Text[0] != '0';

    private bool TryGetMagnitude(out ulong magnitude)
    {
        magnitude = 0;
        if (Kind != TextScalarKind.Integer)
        {
            return false;
        }

        if (Text.Length > 2 && Text[0] == '0' && Text[1] is 'x' or 'X')
        {
            return ulong.TryParse(Text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude);
        }

        if (IsDecimalInteger())
        {
            return ulong.TryParse(Text, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
        }

        // Octal: .NET has no parser for base 8, and the lexer already checked the digits.
        foreach (var digit in Text.AsSpan(1))
        {
            if (magnitude > ulong.MaxValue >> 3)
            {
                return false;
            }

            magnitude = (magnitude << 3) | (uint)(digit - '0');
        }

        return true;
    }
}
