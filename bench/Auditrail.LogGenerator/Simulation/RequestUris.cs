using System.Text;
using Auditrail.LogGenerator.Model;

namespace Auditrail.LogGenerator.Simulation;

internal static class RequestUris
{
    [ThreadStatic]
    private static StringBuilder? _builder;

    /// <summary><c>/apis/group/version[/namespaces/ns]/resource[/name][/subresource][?query]</c>.</summary>
    public static string Build(ApiResource resource, string? ns, string? name, string? subresource, string query)
    {
        var b = _builder ??= new StringBuilder(160);
        b.Clear().Append(resource.PathPrefix);
        if (ns is not null)
        {
            b.Append("/namespaces/").Append(ns);
        }

        b.Append('/').Append(resource.Resource);
        if (name is not null)
        {
            b.Append('/').Append(name);
        }

        if (subresource is not null)
        {
            b.Append('/').Append(subresource);
        }

        return b.Append(query).ToString();
    }

    /// <summary>Query values are percent-encoded the way Go's url.Values.Encode does for selectors.</summary>
    public static string Escape(string value) => Uri.EscapeDataString(value);
}
