using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// Kubernetes' URL functions: <c>url(s)</c> and <c>isURL(s)</c> accept an absolute URI or an absolute
/// path (Go's <c>url.ParseRequestURI</c>), and the accessors return its parts.
/// </summary>
public static class UrlLibrary
{
    /// <summary>The type of <c>url()</c> values, named as Kubernetes names it.</summary>
    public static readonly CelType UrlType = CelType.Object("kubernetes.URL");


    public static void Register(FunctionRegistry r)
    {
        r.DeclareType(UrlType);
        r.Global("url", UrlType, [Str], a => ToUrl(a[0].AsString));
        r.Global("isURL", CelType.Bool, [Str], a => CelValue.Bool(ParsedUrl.TryParseRequestUri(a[0].AsString, out _)));
        Accessor(r, "getScheme", u => u.Scheme);
        Accessor(r, "getHost", u => u.Host);
        Accessor(r, "getHostname", u => u.Hostname);
        Accessor(r, "getPort", u => u.Port);
        Accessor(r, "getEscapedPath", u => u.EscapedPath);
        r.Member("getQuery", CelType.Map(Str, CelType.List(Str)), [UrlType], a => Query(Url(a[0])));
    }

    private static ParsedUrl Url(CelValue value) => (ParsedUrl)value.AsObject.Value!;

    private static void Accessor(FunctionRegistry r, string name, Func<ParsedUrl, string> part) =>
        r.Member(name, Str, [UrlType], a => CelValue.String(part(Url(a[0]))));

    /// <summary>
    /// Validated as a request URI, then parsed as a reference: the request parser would fold a
    /// fragment into the path or query, so Kubernetes parses twice, and so does this.
    /// </summary>
    private static CelValue ToUrl(string text)
    {
        if (!ParsedUrl.TryParseRequestUri(text, out var error) || !ParsedUrl.TryParseReference(text, out var url, out error))
        {
            return CelValue.Error($"URL parse error during conversion from string: {error}");
        }

        return CelValue.Object(new CelObject(UrlType, url!));
    }

    private static CelValue Query(ParsedUrl url)
    {
        var map = new CelMap();
        foreach (var (key, values) in url.Query())
        {
            map.TryAdd(CelValue.String(key), CelValue.List(values.Select(CelValue.String).ToArray()));
        }

        return CelValue.Map(map);
    }
}
