using System.Globalization;
using System.Text;

namespace Auditrail.Cel.Conformance;

/// <summary>Quoting shared by the ToString renderings, so a failing test prints values that can be pasted back.</summary>
internal static class TextFormatting
{
    /// <summary>Bytes as a double-quoted literal: printable ASCII as is, everything else as <c>\xNN</c>.</summary>
    public static string QuoteBytes(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length + 2).Append('"');
        foreach (var b in bytes)
        {
            if (!AppendSimpleEscape(builder, (char)b))
            {
                if (b is >= 0x20 and < 0x7F)
                {
                    builder.Append((char)b);
                }
                else
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                }
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Text as a double-quoted literal: control characters escaped, other characters kept.</summary>
    public static string QuoteString(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (!AppendSimpleEscape(builder, c))
            {
                if (char.IsControl(c))
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }
                else
                {
                    builder.Append(c);
                }
            }
        }

        return builder.Append('"').ToString();
    }

    private static bool AppendSimpleEscape(StringBuilder builder, char c)
    {
        var escaped = c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ => null,
        };
        if (escaped is null)
        {
            return false;
        }

        builder.Append(escaped);
        return true;
    }
}
