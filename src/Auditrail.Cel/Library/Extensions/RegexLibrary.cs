using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// Kubernetes' regex functions: <c>"s".find(re)</c> gives the first match or "", <c>findAll(re)</c>
/// every match and <c>findAll(re, n)</c> at most n (all when n is negative).
/// </summary>
/// <remarks>
/// Patterns go through <see cref="RegexCache"/>, whose non-backtracking engine runs in linear time,
/// as RE2 does. Matches follow Go's <c>FindAllString</c>: non-overlapping, and an empty match right
/// where the previous match ended is skipped (.NET would report it).
/// </remarks>
public static class RegexLibrary
{
    private static readonly CelType ListOfString = CelType.List(CelType.String);

    public static void Register(FunctionRegistry r)
    {
        r.Member("find", Str, [Str, Str], a => Find(a[0].AsString, a[1].AsString));
        r.Member("findAll", ListOfString, [Str, Str], a => FindAll(a[0].AsString, a[1].AsString, -1));
        r.Member("findAll", ListOfString, [Str, Str, CelType.Int], a => FindAll(a[0].AsString, a[1].AsString, a[2].AsInt));
    }

    private static CelValue Find(string text, string pattern)
    {
        if (!RegexCache.TryGet(pattern, out var regex, out var error))
        {
            return CelValue.Error(error!);
        }

        var match = regex.Match(text);
        return CelValue.String(match.Success ? match.Value : string.Empty);
    }

    private static CelValue FindAll(string text, string pattern, long limit)
    {
        if (!RegexCache.TryGet(pattern, out var regex, out var error))
        {
            return CelValue.Error(error!);
        }

        var found = new List<CelValue>();
        var previousEnd = -1;
        for (var match = regex.Match(text); match.Success && (limit < 0 || found.Count < limit); match = match.NextMatch())
        {
            if (match.Length == 0 && match.Index == previousEnd)
            {
                continue;
            }

            found.Add(CelValue.String(match.Value));
            previousEnd = match.Index + match.Length;
        }

        return CelValue.List(found);
    }
}
