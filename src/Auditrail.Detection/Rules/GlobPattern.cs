using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Auditrail.Detection.Rules;

/// <summary>
/// Shell glob patterns as <c>fnmatch(3)</c> reads them without flags: <c>*</c> is any text (slashes
/// included), <c>?</c> one character, <c>[a-z]</c> and <c>[!a-z]</c> a class, and a backslash makes the
/// next character literal. Falco's <c>glob</c> operator matches this way.
/// </summary>
public static class GlobPattern
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    public static bool IsMatch(string text, string pattern) =>
        Cache.GetOrAdd(pattern, p => new Regex(ToRegex(p), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1))).IsMatch(text);

    /// <summary>An anchored regular expression (RE2 and .NET syntax alike) matching what the glob matches.</summary>
    public static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append("(?s:.*)");
                    break;
                case '?':
                    regex.Append("(?s:.)");
                    break;
                case '\\' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '[' when ClassEnd(pattern, i) is var end and > 0:
                    regex.Append(CharacterClass(pattern[(i + 1)..end]));
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.Append('$').ToString();
    }

    /// <summary>Where a bracket expression starting at <paramref name="open"/> closes (a ']' right after '[' or '[!' is a member); -1 when it does not.</summary>
    private static int ClassEnd(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '!')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++;
        }

        var end = pattern.IndexOf(']', i);
        return end;
    }

    private static string CharacterClass(string body)
    {
        var negated = body.StartsWith('!');
        var members = new StringBuilder();
        foreach (var c in negated ? body[1..] : body)
        {
            // A range's '-' stays an operator; everything else is literal inside the class.
            members.Append(c is '\\' or ']' or '[' or '^' ? "\\" + c : c.ToString());
        }

        return $"[{(negated ? "^" : string.Empty)}{members}]";
    }
}
