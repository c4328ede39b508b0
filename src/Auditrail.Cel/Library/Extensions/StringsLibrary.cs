using System.Text;
using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// cel-go's <c>ext.Strings</c> as Kubernetes enables it: character-indexed access and search,
/// ASCII casing, replace and split with Go's limits, trim, join, quote, format and reverse.
/// </summary>
/// <remarks>
/// Indices count Unicode code points, as CEL's <c>size()</c> does, not UTF-16 units: a rule that
/// slices a name with an emoji in it must agree with the API server about where the cut falls.
/// </remarks>
public static class StringsLibrary
{
    private static readonly CelType ListOfString = CelType.List(CelType.String);

    public static void Register(FunctionRegistry r)
    {
        r.Member("charAt", Str, [Str, Int], a => CharAt(CodePoints(a[0].AsString), a[1].AsInt));
        r.Member("indexOf", Int, [Str, Str], a => IndexOf(a[0].AsString, a[1].AsString, 0));
        r.Member("indexOf", Int, [Str, Str, Int], a => IndexOf(a[0].AsString, a[1].AsString, a[2].AsInt));
        r.Member("lastIndexOf", Int, [Str, Str], a => LastIndexOf(a[0].AsString, a[1].AsString, null));
        r.Member("lastIndexOf", Int, [Str, Str, Int], a => LastIndexOf(a[0].AsString, a[1].AsString, a[2].AsInt));
        r.Member("lowerAscii", Str, [Str], a => CelValue.String(MapAscii(a[0].AsString, char.ToLowerInvariant)));
        r.Member("upperAscii", Str, [Str], a => CelValue.String(MapAscii(a[0].AsString, char.ToUpperInvariant)));
        r.Member("replace", Str, [Str, Str, Str], a => CelValue.String(Replace(a[0].AsString, a[1].AsString, a[2].AsString, -1)));
        r.Member("replace", Str, [Str, Str, Str, Int], a => CelValue.String(Replace(a[0].AsString, a[1].AsString, a[2].AsString, a[3].AsInt)));
        r.Member("split", ListOfString, [Str, Str], a => Split(a[0].AsString, a[1].AsString, -1));
        r.Member("split", ListOfString, [Str, Str, Int], a => Split(a[0].AsString, a[1].AsString, a[2].AsInt));
        r.Member("substring", Str, [Str, Int], a => Substring(a[0].AsString, a[1].AsInt, null));
        r.Member("substring", Str, [Str, Int, Int], a => Substring(a[0].AsString, a[1].AsInt, a[2].AsInt));
        r.Member("trim", Str, [Str], a => CelValue.String(a[0].AsString.Trim()));
        r.Member("join", Str, [ListOfString], a => Join(a[0].AsList, string.Empty));
        r.Member("join", Str, [ListOfString, Str], a => Join(a[0].AsList, a[1].AsString));
        r.Member("reverse", Str, [Str], a => CelValue.String(Reverse(a[0].AsString)));
        r.Member("format", Str, [Str, CelType.ListOfDyn], a => StringFormatter.Format(a[0].AsString, a[1].AsList));
        r.Global("strings.quote", Str, [Str], a => CelValue.String(Quote(a[0].AsString)));
    }

    /// <summary>A string's code points; lone surrogates become U+FFFD, as Go's UTF-8 decoding would have them.</summary>
    private static Rune[] CodePoints(string text)
    {
        var runes = new List<Rune>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            runes.Add(rune);
        }

        return [.. runes];
    }

    private static string Concat(ReadOnlySpan<Rune> runes)
    {
        var builder = new StringBuilder(runes.Length);
        foreach (var rune in runes)
        {
            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    private static CelValue OutOfRange(long index) => CelValue.Error($"index out of range: {index}");

    private static CelValue CharAt(Rune[] runes, long index) =>
        index < 0 || index > runes.Length ? OutOfRange(index)
        : index == runes.Length ? CelValue.String(string.Empty)
        : CelValue.String(runes[index].ToString());

    private static CelValue IndexOf(string text, string search, long offset)
    {
        // An empty search string is found wherever the search starts, even past the end (cel-go).
        if (search.Length == 0)
        {
            return CelValue.Int(offset);
        }

        var runes = CodePoints(text);
        if (offset < 0 || offset >= runes.Length)
        {
            return OutOfRange(offset);
        }

        var sub = CodePoints(search);
        for (var i = (int)offset; i <= runes.Length - sub.Length; i++)
        {
            if (runes.AsSpan(i, sub.Length).SequenceEqual(sub))
            {
                return CelValue.Int(i);
            }
        }

        return CelValue.Int(-1);
    }

    private static CelValue LastIndexOf(string text, string search, long? offset)
    {
        var runes = CodePoints(text);
        if (search.Length == 0)
        {
            return CelValue.Int(offset ?? runes.Length);
        }

        var sub = CodePoints(search);
        if (offset is null)
        {
            // Without an offset a search string longer than the text is simply not found ('' too).
            if (sub.Length > runes.Length)
            {
                return CelValue.Int(-1);
            }

            offset = runes.Length - 1;
        }

        if (offset < 0 || offset >= runes.Length)
        {
            return OutOfRange(offset.Value);
        }

        for (var i = (int)Math.Min(offset.Value, runes.Length - sub.Length); i >= 0; i--)
        {
            if (runes.AsSpan(i, sub.Length).SequenceEqual(sub))
            {
                return CelValue.Int(i);
            }
        }

        return CelValue.Int(-1);
    }

    private static CelValue Substring(string text, long start, long? end)
    {
        var runes = CodePoints(text);
        var stop = end ?? runes.Length;
        if (end is not null && start > stop)
        {
            return CelValue.Error($"invalid substring range. start: {start}, end: {stop}");
        }

        if (start < 0 || start > runes.Length)
        {
            return OutOfRange(start);
        }

        if (stop < 0 || stop > runes.Length)
        {
            return OutOfRange(stop);
        }

        return CelValue.String(Concat(runes.AsSpan((int)start, (int)(stop - start))));
    }

    /// <summary>Only ASCII letters change case; everything else (Æ, α) is left as written.</summary>
    private static string MapAscii(string text, Func<char, char> map) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] < 128 ? map(source[i]) : source[i];
            }
        });

    /// <summary>
    /// Go's <c>strings.Replace</c>: at most <paramref name="limit"/> replacements (all when negative);
    /// an empty search string matches at the start and after every code point.
    /// </summary>
    private static string Replace(string text, string search, string replacement, long limit)
    {
        if (limit == 0 || search == replacement)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var count = 0L;
        if (search.Length == 0)
        {
            var index = 0;
            foreach (var rune in text.EnumerateRunes())
            {
                if (limit < 0 || count < limit)
                {
                    builder.Append(replacement);
                    count++;
                }

                builder.Append(text, index, rune.Utf16SequenceLength);
                index += rune.Utf16SequenceLength;
            }

            if (limit < 0 || count < limit)
            {
                builder.Append(replacement);
            }

            return builder.ToString();
        }

        var position = 0;
        while (limit < 0 || count < limit)
        {
            var found = text.IndexOf(search, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            builder.Append(text, position, found - position).Append(replacement);
            position = found + search.Length;
            count++;
        }

        return builder.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>
    /// Go's <c>strings.SplitN</c>: a limit of 0 gives no parts, a negative limit all of them, and a
    /// positive one at most that many with the rest in the last; an empty separator splits into code points.
    /// </summary>
    private static CelValue Split(string text, string separator, long limit)
    {
        var parts = new List<CelValue>();
        if (limit == 0)
        {
            return CelValue.List(parts);
        }

        if (separator.Length == 0)
        {
            var runes = CodePoints(text);
            var count = limit < 0 || limit > runes.Length ? runes.Length : (int)limit;
            for (var i = 0; i < count; i++)
            {
                parts.Add(CelValue.String(i == count - 1 ? Concat(runes.AsSpan(i)) : runes[i].ToString()));
            }

            return CelValue.List(parts);
        }

        var position = 0;
        while (limit < 0 || parts.Count < limit - 1)
        {
            var found = text.IndexOf(separator, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            parts.Add(CelValue.String(text[position..found]));
            position = found + separator.Length;
        }

        parts.Add(CelValue.String(text[position..]));
        return CelValue.List(parts);
    }

    private static CelValue Join(ICelList list, string separator)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < list.Count; i++)
        {
            var item = list[i];
            if (item.Kind != CelKind.String)
            {
                return CelValue.Error($"join: list element {i} is {item.RuntimeType.Display}, not string");
            }

            if (i > 0)
            {
                builder.Append(separator);
            }

            builder.Append(item.AsString);
        }

        return CelValue.String(builder.ToString());
    }

    private static string Reverse(string text)
    {
        var runes = CodePoints(text);
        Array.Reverse(runes);
        return Concat(runes);
    }

    /// <summary>Double-quotes a string, escaping exactly the characters CEL string literals escape.</summary>
    private static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var rune in text.EnumerateRunes())
        {
            builder.Append(rune.Value switch
            {
                '\a' => "\\a",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\v' => "\\v",
                '\\' => "\\\\",
                '"' => "\\\"",
                _ => rune.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}
