using Auditrail.Rbac.Authorization;

namespace Auditrail.Rbac.AuditLog;

/// <summary>A stable order for requests: user, then resource requests (group, resource, subresource, namespace, name, verb), then non-resource paths.</summary>
public sealed class RequestOrder : IComparer<RequestAttributes>
{
    public static RequestOrder Instance { get; } = new();

    public int Compare(RequestAttributes? x, RequestAttributes? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var c = string.CompareOrdinal(x.User, y.User);
        if (c != 0)
        {
            return c;
        }

        if (x.IsResourceRequest != y.IsResourceRequest)
        {
            return x.IsResourceRequest ? -1 : 1;
        }

        foreach (var (a, b) in new[] { (x.ApiGroup, y.ApiGroup), (x.Resource, y.Resource), (x.Subresource, y.Subresource), (x.Namespace, y.Namespace), (x.Name, y.Name), (x.Path, y.Path), (x.Verb, y.Verb) })
        {
            c = string.CompareOrdinal(a, b);
            if (c != 0)
            {
                return c;
            }
        }

        return string.CompareOrdinal(string.Join('\n', x.Groups), string.Join('\n', y.Groups));
    }
}
