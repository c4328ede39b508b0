using System.Globalization;
using System.Text;

namespace Auditrail.Admission.PodSecurity.Checks;

/// <summary>
/// The wording helpers upstream's messages are built with, so that our details read exactly like the
/// apiserver's: <c>container "a"</c> / <c>containers "a", "b"</c>, sorted value lists, Go's %q quoting.
/// </summary>
internal static class CheckText
{
    public static string Pluralize(string singular, string plural, int count) => count == 1 ? singular : plural;

    /// <summary><c>"a", "b"</c>: every item in double quotes, unescaped, as upstream's joinQuote writes them.</summary>
    public static string JoinQuote(IEnumerable<string> items)
    {
        var joined = string.Join("\", \"", items);
        return $"\"{joined}\"";
    }

    /// <summary><c>containers "a", "b"</c>.</summary>
    public static string Containers(IReadOnlyCollection<string> names) =>
        $"{Pluralize("container", "containers", names.Count)} {JoinQuote(names)}";

    /// <summary>Distinct values in ordinal order, as upstream's string sets list them.</summary>
    public static List<string> SortedSet(IEnumerable<string> values)
    {
        var set = new SortedSet<string>(values, StringComparer.Ordinal);
        return [.. set];
    }

    /// <summary>A string quoted as Go's <c>%q</c> verb quotes it (escapes for quotes, backslashes and control characters).</summary>
    public static string GoQuote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\a':
                    builder.Append("\\a");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\v':
                    builder.Append("\\v");
                    break;
                default:
                    AppendOther(builder, rune);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static void AppendOther(StringBuilder builder, Rune rune)
    {
        if (rune.Value < 0x20 || rune.Value == 0x7f)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
        }
        else if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
                 or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
        {
            var escape = rune.Value > 0xffff
                ? string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}")
                : string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
            builder.Append(escape);
        }
        else
        {
            builder.Append(rune.ToString());
        }
    }
}
