namespace Auditrail.Detection.Rules;

/// <summary>Reading CEL text without parsing it: what lies outside its string literals.</summary>
internal static class CelText
{
    /// <summary>The characters from <paramref name="start"/> on that are not inside a quoted string (quotes excluded), with their index.</summary>
    public static IEnumerable<(int Index, char Char)> OutsideStrings(string text, int start = 0)
    {
        char? quote = null;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is { } q)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == q)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else
            {
                yield return (i, c);
            }
        }
    }
}
